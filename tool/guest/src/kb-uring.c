// SPDX-License-Identifier: GPL-2.0
/* Minimal io_uring on the raw system calls: see kb-uring.h. */
#define _GNU_SOURCE
#include "kb-uring.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int sys_setup(unsigned int entries, struct io_uring_params *p)
{
	return syscall(__NR_io_uring_setup, entries, p);
}

static int sys_enter(int fd, unsigned int submit, unsigned int complete, unsigned int flags)
{
	return syscall(__NR_io_uring_enter, fd, submit, complete, flags, NULL, 0);
}

static void *map(int fd, size_t len, off_t what)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, what);

	return p == MAP_FAILED ? NULL : p;
}

int kb_ring_init(struct kb_ring *r, unsigned int entries)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	memset(r, 0, sizeof(*r));
	r->fd = sys_setup(entries, &p);
	if (r->fd < 0)
		return -errno;
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sq_map = map(r->fd, r->sq_len, IORING_OFF_SQ_RING);
	r->cq_map = map(r->fd, r->cq_len, IORING_OFF_CQ_RING);
	r->sqes = map(r->fd, r->sqes_len, IORING_OFF_SQES);
	if (!r->sq_map || !r->cq_map || !r->sqes) {
		int err = -errno;

		kb_ring_exit(r);
		return err;
	}
	r->sq_tail = (unsigned int *)((char *)r->sq_map + p.sq_off.tail);
	r->sq_mask = (unsigned int *)((char *)r->sq_map + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)((char *)r->sq_map + p.sq_off.array);
	r->cq_head = (unsigned int *)((char *)r->cq_map + p.cq_off.head);
	r->cq_tail = (unsigned int *)((char *)r->cq_map + p.cq_off.tail);
	r->cq_mask = (unsigned int *)((char *)r->cq_map + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)r->cq_map + p.cq_off.cqes);
	return 0;
}

void kb_ring_exit(struct kb_ring *r)
{
	if (r->sqes)
		munmap(r->sqes, r->sqes_len);
	if (r->cq_map)
		munmap(r->cq_map, r->cq_len);
	if (r->sq_map)
		munmap(r->sq_map, r->sq_len);
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

int kb_ring_rw(struct kb_ring *r, bool write, int fd, void *buf, unsigned int len, uint64_t off,
	       int rw_flags, unsigned int sqe_flags, uint64_t data)
{
	/* Only this thread fills the ring, so the tail needs no atomic read. */
	unsigned int tail = *r->sq_tail;
	unsigned int idx = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	int n;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = write ? IORING_OP_WRITE : IORING_OP_READ;
	sqe->flags = sqe_flags;
	sqe->fd = fd;
	sqe->addr = (uintptr_t)buf;
	sqe->len = len;
	sqe->off = off;
	sqe->rw_flags = rw_flags;
	sqe->user_data = data;
	r->sq_array[idx] = idx;
	/* The kernel must see the entry before the tail that publishes it. */
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	do {
		n = sys_enter(r->fd, 1, 0, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 1 ? 0 : -EAGAIN;
}

int kb_ring_wait(struct kb_ring *r, uint64_t *data)
{
	for (;;) {
		unsigned int head = *r->cq_head;

		if (head != __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE)) {
			struct io_uring_cqe *cqe = &r->cqes[head & *r->cq_mask];
			int res = cqe->res;

			*data = cqe->user_data;
			__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
			return res;
		}
		if (sys_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS) < 0 && errno != EINTR)
			return -errno;
	}
}
