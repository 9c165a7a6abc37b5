/* guest_index.cocci must flag the functions named bad_* and no other. */
typedef unsigned long long u64;
typedef unsigned int u32;
struct vcpu;
struct vnode {
	u64 pages;
};
struct domain {
	unsigned int nr_vnodes;
	struct vnode vnode[16];
	struct vcpu *vcpus[64];
};
struct record {
	u64 start;
	u32 vnode;
};
int dom_copy_from_guest(struct domain *d, void *dst, u64 gpa, u64 len);
int record_check(struct domain *d, const struct record *r);
struct domain *dom_of(struct vcpu *v);

/* A handler's argument used as an index with no check. */
long bad_arg(struct vcpu *v, const u64 *a)
{
	return (long)dom_of(v)->vnode[a[0]].pages;
}

/* Through a local. */
long bad_arg_local(struct vcpu *v, const u64 *a)
{
	u64 node = a[1];

	return (long)dom_of(v)->vnode[node].pages;
}

/* A field of a record read from the guest. */
long bad_record(struct domain *d, const u64 *a)
{
	struct record r;

	if (dom_copy_from_guest(d, &r, a[1], sizeof(r)))
		return -14;
	return (long)d->vnode[r.vnode].pages;
}

void record_print(const struct record *r);

/* Passing the record to a function that does not check it is no check. */
long bad_record_passed(struct domain *d, const u64 *a)
{
	struct record r;

	if (dom_copy_from_guest(d, &r, a[1], sizeof(r)))
		return -14;
	record_print(&r);
	return (long)d->vnode[r.vnode].pages;
}

long good_arg(struct vcpu *v, const u64 *a)
{
	if (a[0] >= dom_of(v)->nr_vnodes)
		return -22;
	return (long)dom_of(v)->vnode[a[0]].pages;
}

long good_arg_local(struct vcpu *v, const u64 *a)
{
	u64 node = a[1];

	if (node >= 16)
		return -22;
	return (long)dom_of(v)->vnode[node].pages;
}

long good_record_checked(struct domain *d, const u64 *a)
{
	struct record r;

	if (dom_copy_from_guest(d, &r, a[1], sizeof(r)))
		return -14;
	if (r.vnode >= d->nr_vnodes)
		return -22;
	return (long)d->vnode[r.vnode].pages;
}

long good_record_helper(struct domain *d, const u64 *a)
{
	struct record r;

	if (dom_copy_from_guest(d, &r, a[1], sizeof(r)))
		return -14;
	if (record_check(d, &r))
		return -22;
	return (long)d->vnode[r.vnode].pages;
}
