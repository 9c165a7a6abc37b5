// A lock taken on a path that returns without releasing it: from
// spin_lock(L) or flags = spin_lock_irqsave(L) (as a statement or the
// initialiser of a declaration; or a spin_trylock(L) that
// succeeded) to a return with no spin_unlock(L) or
// spin_unlock_irqrestore(L, ...) on the way. A function meant to return
// with the lock held says "lock held on return" in a comment on its
// return line or the line above. Known limits: a lock released through
// another name for it (a second pointer to the same struct spinlock) is
// not recognised, and a lock released by a function called for it counts
// as not released.

@bad exists@
expression L, F;
identifier G;
position p;
@@
(
spin_lock(L);
|
F = spin_lock_irqsave(L);
|
unsigned long G = spin_lock_irqsave(L);
|
if (spin_trylock(L)) { ... }
)
... when != spin_unlock(L)
    when != spin_unlock_irqrestore(L, ...)
return@p ...;

@script:python depends on bad@
L << bad.L;
p << bad.p;
@@
def held_on_purpose(name, line):
    with open(name) as f:
        lines = f.read().split("\n")
    return any("lock held on return" in lines[k] for k in (line - 1, line - 2)
               if 0 <= k < len(lines))

if not held_on_purpose(p[0].file, int(p[0].line)):
    print("%s:%s: lock_return: returns with %s still held" % (p[0].file, p[0].line,
                                                              L.replace(" ", "")))
