/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few io_uring calls the guest programs need, on the raw system calls:
 * a static binary then needs no liburing, and the guest kernels' uapi
 * (6.1, 6.12) has everything used here.
 */
#ifndef KB_GUEST_URING_H
#define KB_GUEST_URING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct io_uring_sqe;
struct io_uring_cqe;

struct kb_ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *sq_map, *cq_map;
	size_t sq_len, cq_len, sqes_len;
};

/* 0, or -errno (ENOSYS or EPERM where io_uring is disabled). */
int kb_ring_init(struct kb_ring *r, unsigned int entries);
void kb_ring_exit(struct kb_ring *r);

/*
 * Submits one read or write: RW_FLAGS are RWF_* flags (RWF_NOWAIT),
 * SQE_FLAGS IOSQE_* flags (IOSQE_ASYNC). 0 or -errno.
 */
int kb_ring_rw(struct kb_ring *r, bool write, int fd, void *buf, unsigned int len, uint64_t off,
	       int rw_flags, unsigned int sqe_flags, uint64_t data);

/* Waits for one completion; returns its result (bytes or -errno) and sets *DATA. */
int kb_ring_wait(struct kb_ring *r, uint64_t *data);

#endif
