/// Kernels without kiocb_modified(): rewrite kiocb_modified(iocb) into
/// file_modified() behind an IOCB_NOWAIT guard, so that a NOWAIT write still
/// never sleeps in a security-attribute removal or a timestamp update.
//
// Confidence: Moderate
// Comments: kiocb_modified() (fs/inode.c, v6.0) is file_modified() that
//  returns -EAGAIN instead of sleeping when iocb->ki_flags has IOCB_NOWAIT
//  and the file needs its suid/sgid/security attributes removed or its
//  mtime/ctime/i_version updated. On a tree without it, the rewrite tests
//  the same conditions first under IOCB_NOWAIT: !IS_NOSEC(inode) (the
//  inode is not known to carry nothing to remove; file_remove_privs() sets
//  S_NOSEC once it has checked, so this fails at most until the first
//  blocking write), and the test inode_needs_update_time() makes in
//  fs/inode.c (mtime or ctime differ from current_time(), or i_version
//  needs an increment, unless S_NOCMTIME). Any of them: -EAGAIN, and the
//  caller retries without NOWAIT. Otherwise file_modified() has nothing to
//  do that sleeps. Never weaker than kiocb_modified(): at worst one more
//  -EAGAIN. inode_iversion_need_inc() is in <linux/iversion.h>: a file
//  that does not include it gets it after <linux/fs.h> (v5.10's
//  fs/ext4/file.c, say); one without either must include it by hand. Needed by trees whose include/linux/fs.h
//  does not declare kiocb_modified; usable where fs.h declares
//  file_modified() (v5.3+) and has IS_NOSEC and the i_mtime field (before
//  v6.6's accessors; every tree without kiocb_modified() has it).
// Needed-if: absent kiocb_modified in include/linux/fs.h
// Uses: present file_modified in include/linux/fs.h
// Uses: present IS_NOSEC in include/linux/fs.h
// Uses: present i_mtime in include/linux/fs.h
// Uses: present inode_iversion_need_inc in include/linux/iversion.h
// Otherwise: the tree has kiocb_modified(); code using it compiles unchanged
// Options: --no-includes

virtual patch
virtual report

@assign depends on patch@
expression ret, iocb;
@@

- ret = kiocb_modified(iocb);
+ ret = 0;
+ if (iocb->ki_flags & IOCB_NOWAIT) {
+ 	struct inode *kb_inode = file_inode(iocb->ki_filp);
+ 	struct timespec64 kb_now = current_time(kb_inode);
+
+ 	if (!IS_NOSEC(kb_inode))
+ 		ret = -EAGAIN;
+ 	if (!IS_NOCMTIME(kb_inode) &&
+ 	    !timespec64_equal(&kb_inode->i_mtime, &kb_now))
+ 		ret = -EAGAIN;
+ 	if (!IS_NOCMTIME(kb_inode) &&
+ 	    !timespec64_equal(&kb_inode->i_ctime, &kb_now))
+ 		ret = -EAGAIN;
+ 	if (!IS_NOCMTIME(kb_inode) && IS_I_VERSION(kb_inode) &&
+ 	    inode_iversion_need_inc(kb_inode))
+ 		ret = -EAGAIN;
+ }
+ if (!ret)
+ 	ret = file_modified(iocb->ki_filp);

@ret_call depends on patch@
expression iocb;
@@

- return kiocb_modified(iocb);
+ if (iocb->ki_flags & IOCB_NOWAIT) {
+ 	struct inode *kb_inode = file_inode(iocb->ki_filp);
+ 	struct timespec64 kb_now = current_time(kb_inode);
+
+ 	if (!IS_NOSEC(kb_inode))
+ 		return -EAGAIN;
+ 	if (!IS_NOCMTIME(kb_inode) &&
+ 	    !timespec64_equal(&kb_inode->i_mtime, &kb_now))
+ 		return -EAGAIN;
+ 	if (!IS_NOCMTIME(kb_inode) &&
+ 	    !timespec64_equal(&kb_inode->i_ctime, &kb_now))
+ 		return -EAGAIN;
+ 	if (!IS_NOCMTIME(kb_inode) && IS_I_VERSION(kb_inode) &&
+ 	    inode_iversion_need_inc(kb_inode))
+ 		return -EAGAIN;
+ }
+ return file_modified(iocb->ki_filp);

@has_iversion depends on patch@
@@

#include <linux/iversion.h>

@add_iversion depends on patch && !has_iversion && (assign || ret_call)@
@@

#include <linux/fs.h>
+#include <linux/iversion.h>

@use depends on report@
expression iocb;
position p;
@@

  kiocb_modified@p(iocb)

@script:python depends on report@
p << use.p;
@@

coccilib.report.print_report(p[0], "kiocb_modified() is absent in this tree: needs the IOCB_NOWAIT-preserving file_modified() rewrite")
