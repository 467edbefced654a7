"""Pure rules: verdicts from values, no database. Everything above them may call them.

`windows` (is a dayparting window open at a local wall-clock time), `budgets` (is a budget
exceeded, what is left), `reasons` (why a campaign may not serve, in the contract's order).
"""
