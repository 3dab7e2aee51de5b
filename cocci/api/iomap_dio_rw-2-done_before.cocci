/// iomap_dio_rw() before its 'size_t done_before' argument (upstream
/// 4fdccaa0d184, v5.16): drop a last argument of 0 from the 6-argument form.
//
// Confidence: High
// Comments: Apply after iomap_dio_rw-1-private.cocci (the tool runs rules
//  in name order). done_before is the byte count a caller already did
//  before a partial (IOMAP_DIO_PARTIAL) retry; 0 means none, which is what
//  the older form assumed. A caller passing anything else needs the
//  partial-DIO support of 4fdccaa0d184 and is listed in report mode.
//  Needed when the declaration in include/linux/iomap.h has fewer than 6
//  parameters.
// Needed-if: params iomap_dio_rw < 6 in include/linux/iomap.h
// Otherwise: iomap_dio_rw() takes done_before here
// Options: --no-includes

virtual patch
virtual report

@drop depends on patch@
expression iocb, iter, ops, dops, flags;
@@

  iomap_dio_rw(iocb, iter, ops, dops, flags
- , 0
  )

@keep depends on report@
expression iocb, iter, ops, dops, flags, done;
position p;
@@

  iomap_dio_rw@p(iocb, iter, ops, dops, flags, done)

@script:python depends on report@
p << keep.p;
@@

coccilib.report.print_report(p[0], "iomap_dio_rw() takes no done_before argument in this tree")
