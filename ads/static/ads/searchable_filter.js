'use strict';
// A searchable list filter (ads.admin.SearchableFilter): picking an object reloads the list
// filtered on it, clearing the pick removes the filter. Back to the first page either way.
{
    const $ = django.jQuery;
    $(function() {
        $('.ads-filter-picker').on('change', function() {
            const url = new URL(window.location.href);
            url.searchParams.delete('p');
            if (this.value) {
                url.searchParams.set(this.dataset.lookupKwarg, this.value);
            } else {
                url.searchParams.delete(this.dataset.lookupKwarg);
            }
            window.location.assign(url.href);
        });
    });
}
