/* lock_return.cocci must flag the functions named bad_* and no other. */
struct spinlock {
	int v;
};
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
unsigned long spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags);

struct thing {
	struct spinlock lock;
	int busy;
};

int bad_early_return(struct thing *t)
{
	spin_lock(&t->lock);
	if (t->busy)
		return -1;
	t->busy = 1;
	spin_unlock(&t->lock);
	return 0;
}

int bad_irqsave(struct thing *t)
{
	unsigned long flags = 0;

	flags = spin_lock_irqsave(&t->lock);
	if (!t->busy)
		return 0;
	spin_unlock_irqrestore(&t->lock, flags);
	return 1;
}

int bad_declared(struct thing *t)
{
	unsigned long flags = spin_lock_irqsave(&t->lock);

	if (t->busy)
		return -1;
	spin_unlock_irqrestore(&t->lock, flags);
	return 0;
}

int good_balanced(struct thing *t)
{
	unsigned long flags;
	int was;

	flags = spin_lock_irqsave(&t->lock);
	was = t->busy;
	if (was) {
		spin_unlock_irqrestore(&t->lock, flags);
		return -1;
	}
	t->busy = 1;
	spin_unlock_irqrestore(&t->lock, flags);
	return 0;
}

/* Takes t's lock for its caller. */
int good_held_on_purpose(struct thing *t)
{
	spin_lock(&t->lock);
	return 0; /* lock held on return: the caller unlocks */
}
