"""The only home of SQL text, row locks and advisory locks.

Everything else speaks the ORM. What is here is hand-written for a reason its docstring gives:
a statement the ORM cannot express (a VALUES join), one it makes too slow on the hot path, or a
lock whose order is the locking rule:

    Every writer locks the brand row before it touches the brand's campaigns, and a writer
    that locks several brands locks them in primary-key order. Spends, periodic sweeps and
    operator edits therefore serialise per brand and never deadlock.
"""
