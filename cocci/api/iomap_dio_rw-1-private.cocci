/// iomap_dio_rw() before its 'void *private' argument (upstream 786f847f43ba,
/// v5.19): drop the sixth of seven arguments when it is NULL.
//
// Confidence: High
// Comments: Forms of iomap_dio_rw() over time: v5.5-v5.14 (iocb, iter,
//  ops, dops, bool wait_for_completion); v5.15 (..., unsigned int
//  dio_flags), 2f63296578ca; v5.16-v5.18 (..., dio_flags, size_t
//  done_before), 4fdccaa0d184; v5.19 on (..., dio_flags, void *private,
//  done_before), 786f847f43ba. This rule turns the 7-argument form into the
//  6-argument one; a caller passing a non-NULL private is left alone and
//  listed in report mode, since older kernels have no iomap_iter->private
//  to carry it. The tool counts the parameters of the declaration in
//  include/linux/iomap.h: needed when fewer than 7.
// Needed-if: params iomap_dio_rw < 7 in include/linux/iomap.h
// Otherwise: iomap_dio_rw() takes the private argument here
// Options: --no-includes

virtual patch
virtual report

@drop depends on patch@
expression iocb, iter, ops, dops, flags, done;
@@

  iomap_dio_rw(iocb, iter, ops, dops, flags,
- NULL,
  done)

@keep depends on report@
expression iocb, iter, ops, dops, flags, priv, done;
position p;
@@

  iomap_dio_rw@p(iocb, iter, ops, dops, flags, priv, done)

@script:python depends on report@
p << keep.p;
@@

coccilib.report.print_report(p[0], "iomap_dio_rw() takes no private argument in this tree")
