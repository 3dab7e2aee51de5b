/// ext4_iomap_overwrite_ops removed (upstream 012924f0eeef): every DIO write
/// maps through ext4_iomap_ops. Removes the ops table, its ->iomap_begin and
/// declaration, and turns a selection of them into ext4_iomap_ops.
//
// Confidence: Moderate
// Comments: Older trees pick ext4_iomap_overwrite_ops for a write that
//  ext4_overwrite_io() proved to cover only written blocks; its
//  ->iomap_begin clears IOMAP_WRITE, so it must never see a hole or an
//  unwritten extent. Upstream dropped it once ext4_iomap_begin()'s fast
//  path returned MAPPED and UNWRITTEN extents without a journal handle
//  (5d87c7fca2c1). Needed by a tree that lacks the ops (the tool probes
//  fs/ext4/inode.c) for code written against a tree that has them: a
//  selection 'if (c) ops = &ext4_iomap_overwrite_ops;' is dropped and
//  other references become &ext4_iomap_ops, which is always correct, only
//  without the overwrite shortcut. On a tree that still has the ops the
//  rule is not needed for translation, but code that sends writes of unknown
//  extent state under the shared i_rwsem must not reach them: carry
//  012924f0eeef as a prerequisite (this rule in patch mode does its code
//  part; report mode lists every use), and check which extent states the
//  tree's ext4_iomap_begin() fast path accepts (EXT4_MAP_MAPPED only
//  before 5d87c7fca2c1: unwritten extents then go through
//  ext4_iomap_alloc() under a handle).
// Needed-if: absent ext4_iomap_overwrite_ops in fs/ext4/inode.c
// Uses: present ext4_iomap_ops in fs/ext4/inode.c
// Otherwise: the tree still has ext4_iomap_overwrite_ops; a series that relies on its removal must carry 012924f0eeef
// Options: --no-includes

virtual patch
virtual report

@select depends on patch@
symbol ext4_iomap_overwrite_ops;
expression c, ops;
@@

- if (c)
-	ops = &ext4_iomap_overwrite_ops;

@table depends on patch@
symbol ext4_iomap_overwrite_ops;
identifier begin;
@@

- const struct iomap_ops ext4_iomap_overwrite_ops = {
-	.iomap_begin = begin,
-	...
- };

@beginfn depends on patch@
identifier table.begin;
@@

- begin(...) { ... }

@decl depends on patch@
symbol ext4_iomap_overwrite_ops;
@@

- extern const struct iomap_ops ext4_iomap_overwrite_ops;

@other depends on patch@
symbol ext4_iomap_overwrite_ops, ext4_iomap_ops;
@@

- &ext4_iomap_overwrite_ops
+ &ext4_iomap_ops

@use depends on report@
symbol ext4_iomap_overwrite_ops;
position p;
@@

  ext4_iomap_overwrite_ops@p

@script:python depends on report@
p << use.p;
@@

coccilib.report.print_report(p[0], "ext4_iomap_overwrite_ops: writes mapped here must be known overwrites of written blocks")
