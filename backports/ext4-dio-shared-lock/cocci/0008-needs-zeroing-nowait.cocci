/// Series patch 8 on a tree without EXT4_GET_BLOCKS_CACHED_NOWAIT: a NOWAIT
/// ext4_dio_needs_zeroing() answers "needs zeroing" instead of asking the
/// extent status cache only.
//
// Confidence: High
// Comments: Patch 8 makes ext4_dio_needs_zeroing(..., nowait) map the head
//  and tail blocks with EXT4_GET_BLOCKS_CACHED_NOWAIT, so that a NOWAIT
//  write never sleeps on i_data_sem or an extent block read. Without the
//  flag (v5.10) no lookup is free of those. The function returns bool, so
//  cocci/api/ext4_cached_nowait.cocci leaves it to this rule: true is the
//  answer its only caller, ext4_dio_write_checks(), turns into the exclusive
//  i_rwsem, which a NOWAIT write does not wait for: -EAGAIN before any I/O,
//  as the tree did for every unaligned NOWAIT write before the series.
//  Aligned writes never call it. See INFO, rule 0008.
// Needed-if: absent EXT4_GET_BLOCKS_CACHED_NOWAIT in fs/ext4/ext4.h
// Options: --no-includes

virtual patch

@nowait depends on patch@
typedef bool;
identifier nowait, map_flags;
@@

bool ext4_dio_needs_zeroing(..., bool nowait)
{
	...
	if (nowait)
-		map_flags = EXT4_GET_BLOCKS_CACHED_NOWAIT;
+		return true;
	...
}
