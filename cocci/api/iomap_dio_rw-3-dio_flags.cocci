/// iomap_dio_rw() before 'unsigned int dio_flags' (upstream 2f63296578ca,
/// v5.15): the fifth argument was 'bool wait_for_completion'.
//
// Confidence: High
// Comments: Apply after iomap_dio_rw-2-done_before.cocci. 0 becomes false,
//  IOMAP_DIO_FORCE_WAIT true, and 'c ? IOMAP_DIO_FORCE_WAIT : 0' becomes c.
//  Other flags (IOMAP_DIO_OVERWRITE_ONLY, IOMAP_DIO_PARTIAL, ...) have no
//  equivalent in the bool form; such calls are left alone and listed in
//  report mode. Needed when include/linux/iomap.h does not define
//  IOMAP_DIO_FORCE_WAIT.
// Needed-if: absent IOMAP_DIO_FORCE_WAIT in include/linux/iomap.h
// Otherwise: iomap_dio_rw() takes dio_flags here
// Options: --no-includes

virtual patch
virtual report

@flags depends on patch@
expression iocb, iter, ops, dops, c;
@@

  iomap_dio_rw(iocb, iter, ops, dops,
(
- 0
+ false
|
- IOMAP_DIO_FORCE_WAIT
+ true
|
- c ? IOMAP_DIO_FORCE_WAIT : 0
+ c
)
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
