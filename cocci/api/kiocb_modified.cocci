/// Kernels without kiocb_modified(): rewrite kiocb_modified(iocb) into
/// file_modified() behind an IOCB_NOWAIT guard, so that a NOWAIT write still
/// never sleeps in a security-attribute removal or a timestamp update.
//
// Confidence: Moderate
// Comments: kiocb_modified() (fs/inode.c, v6.0) is file_modified() that
//  returns -EAGAIN instead of sleeping when iocb->ki_flags has IOCB_NOWAIT.
//  On a tree without it, the rewrite returns -EAGAIN for an IOCB_NOWAIT
//  write whose file needs privilege removal (file_needs_remove_privs()) or
//  whose mtime/ctime/i_version would change (the test inode_needs_update_time()
//  makes in fs/inode.c), and otherwise calls file_modified(), which then has
//  nothing to do that sleeps. The caller retries without NOWAIT. The test is
//  never weaker than kiocb_modified(): at worst one more -EAGAIN.
//  Needed by trees whose include/linux/fs.h does not declare kiocb_modified;
//  the tool probes the header, and the rewrite needs file_modified() and
//  file_needs_remove_privs() declared there (and linux/iversion.h
//  included by the file, as every filesystem with i_version support does).
// Needed-if: absent kiocb_modified in include/linux/fs.h
// Uses: present file_modified in include/linux/fs.h
// Uses: present file_needs_remove_privs in include/linux/fs.h
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
+ 	if (file_needs_remove_privs(iocb->ki_filp))
+ 		ret = -EAGAIN;
+ 	if (!IS_NOCMTIME(kb_inode) &&
+ 	    (!timespec64_equal(&kb_inode->i_mtime, &kb_now) ||
+ 	     !timespec64_equal(&kb_inode->i_ctime, &kb_now) ||
+ 	     (IS_I_VERSION(kb_inode) && inode_iversion_need_inc(kb_inode))))
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
+ 	if (file_needs_remove_privs(iocb->ki_filp))
+ 		return -EAGAIN;
+ 	if (!IS_NOCMTIME(kb_inode) &&
+ 	    (!timespec64_equal(&kb_inode->i_mtime, &kb_now) ||
+ 	     !timespec64_equal(&kb_inode->i_ctime, &kb_now) ||
+ 	     (IS_I_VERSION(kb_inode) && inode_iversion_need_inc(kb_inode))))
+ 		return -EAGAIN;
+ }
+ return file_modified(iocb->ki_filp);

@use depends on report@
expression iocb;
position p;
@@

  kiocb_modified@p(iocb)

@script:python depends on report@
p << use.p;
@@

coccilib.report.print_report(p[0], "kiocb_modified() is absent in this tree: needs the IOCB_NOWAIT-preserving file_modified() rewrite")
