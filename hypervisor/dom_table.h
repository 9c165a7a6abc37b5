/*
 * The domain table, shared by the files of the domain life cycle
 * (domain.c, which owns it) and its reports (dom_report.c: 'q', 'n' and
 * the page ownership check). Not for anyone else: the rest of the
 * hypervisor goes through <hv/domain.h> (dom_for_each()).
 */
#ifndef HYPERVISOR_DOM_TABLE_H
#define HYPERVISOR_DOM_TABLE_H

#include <hv/domain.h>
#include <hv/spinlock.h>

/* Every domain from creation to its end, by slot; changed under domlist_lock. */
extern struct spinlock domlist_lock;
extern struct domain *domains[DOMAIN_MAX];

/* Register 'q' and the numastat lines of 'n' (dom_report.c). Once, at boot. */
void dom_report_init(void);

#endif /* HYPERVISOR_DOM_TABLE_H */
