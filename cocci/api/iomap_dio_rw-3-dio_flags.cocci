/// iomap_dio_rw() before 'unsigned int dio_flags' (upstream 2f63296578ca,
/// v5.15): the fifth argument was 'bool wait_for_completion', and the caller
/// had to ask for a wait on every synchronous kiocb itself.
//
// Confidence: High
// Comments: Apply after iomap_dio_rw-2-done_before.cocci. Before v5.15
//  __iomap_dio_rw() refuses a synchronous kiocb without the wait
//  ('WARN_ON(is_sync_kiocb(iocb) && !wait_for_completion)', -EIO), and
//  callers passed 'is_sync_kiocb(iocb) || <their reasons>'; 2f63296578ca
//  moved that test into iomap. So 0 becomes is_sync_kiocb(iocb),
//  IOMAP_DIO_FORCE_WAIT true, 'c ? IOMAP_DIO_FORCE_WAIT : 0' becomes
//  'is_sync_kiocb(iocb) || c', and a flags variable f becomes
//  'is_sync_kiocb(iocb) || f'. Such a variable keeps its integer type
//  (code written after it still matches), and a store of
//  IOMAP_DIO_FORCE_WAIT into anything becomes a store of true (1): the one
//  flag with an equivalent. Other flags (IOMAP_DIO_OVERWRITE_ONLY,
//  IOMAP_DIO_PARTIAL, ...) have none: left alone, they do not compile, and
//  report mode lists them. Needed when include/linux/iomap.h does not
//  define IOMAP_DIO_FORCE_WAIT.
// Needed-if: absent IOMAP_DIO_FORCE_WAIT in include/linux/iomap.h
// Otherwise: iomap_dio_rw() takes dio_flags here
// Options: --no-includes

virtual patch
virtual report

@flags depends on patch@
expression iocb, iter, ops, dops, c;
identifier f != {true, false};
@@

  iomap_dio_rw(iocb, iter, ops, dops,
(
- 0
+ is_sync_kiocb(iocb)
|
- IOMAP_DIO_FORCE_WAIT
+ true
|
- c ? IOMAP_DIO_FORCE_WAIT : 0
+ is_sync_kiocb(iocb) || c
|
- f
+ is_sync_kiocb(iocb) || f
)
  )

@store depends on patch@
expression e;
@@

(
- e = IOMAP_DIO_FORCE_WAIT
+ e = true
|
- e |= IOMAP_DIO_FORCE_WAIT
+ e = true
)

@keep depends on report@
expression iocb, iter, ops, dops, f;
position p;
@@

  iomap_dio_rw@p(iocb, iter, ops, dops, f)

@script:python depends on report@
p << keep.p;
@@

coccilib.report.print_report(p[0], "iomap_dio_rw() takes bool wait_for_completion in this tree")
