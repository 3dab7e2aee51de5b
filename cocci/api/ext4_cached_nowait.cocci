/// Kernels without EXT4_GET_BLOCKS_CACHED_NOWAIT: a NOWAIT block mapping
/// cannot be limited to the extent status cache, so refuse it with -EAGAIN
/// where the flag would be chosen, and drop tests of the flag.
//
// Confidence: Moderate
// Comments: EXT4_GET_BLOCKS_CACHED_NOWAIT (fs/ext4/ext4.h) asks
//  ext4_map_blocks() to answer from the extent status cache only and never
//  take i_data_sem or read the extent tree. Where the tree lacks the flag,
//  ext4_map_blocks() has no non-blocking mode: the statement that selects
//  the flag (typically under IOMAP_NOWAIT or IOCB_NOWAIT) becomes
//  'return -EAGAIN;', so the NOWAIT caller retries from a context that may
//  block, and a test of the flag is dropped (nobody can set it). Correct
//  for int/ssize_t functions that report errors. In a function returning
//  bool, -EAGAIN would read as true, and which answer is the safe one is
//  the function's own meaning: the selection is left alone there (it then
//  does not compile) for a series' own rule to decide; report mode lists
//  every use for review. The tool probes fs/ext4/ext4.h for the #define.
// Needed-if: absent EXT4_GET_BLOCKS_CACHED_NOWAIT in fs/ext4/ext4.h
// Otherwise: the tree defines EXT4_GET_BLOCKS_CACHED_NOWAIT; code using it compiles unchanged
// Options: --no-includes

virtual patch
virtual report

@predicate depends on patch@
typedef bool;
identifier fn;
expression e;
position p;
@@

bool fn(...)
{
<...
(
 e = EXT4_GET_BLOCKS_CACHED_NOWAIT@p;
|
 e |= EXT4_GET_BLOCKS_CACHED_NOWAIT@p;
)
...>
}

@select depends on patch@
expression e;
position p != predicate.p;
@@

(
- e = EXT4_GET_BLOCKS_CACHED_NOWAIT@p;
+ return -EAGAIN;
|
- e |= EXT4_GET_BLOCKS_CACHED_NOWAIT@p;
+ return -EAGAIN;
)

@test depends on patch@
expression e;
statement S;
@@

- if (e & EXT4_GET_BLOCKS_CACHED_NOWAIT)
-	S

@use depends on report@
position p;
@@

  EXT4_GET_BLOCKS_CACHED_NOWAIT@p

@script:python depends on report@
p << use.p;
@@

coccilib.report.print_report(p[0], "EXT4_GET_BLOCKS_CACHED_NOWAIT is absent in this tree: a NOWAIT mapping must return -EAGAIN instead")
