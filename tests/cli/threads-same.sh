# A big file's blocks are parsed on threads (moestat(1), ENVIRONMENT), with
# AVX-512 where the processor has it: every command prints exactly what it
# prints on one thread with the portable parser (MOESTAT_THREADS=1
# MOESTAT_SIMD=0),
# on a clean log, on one whose #domain lines and bad records send blocks
# back to the file's own reader, in plain text and gzip. The unit tests
# (check_blocks.c) show that blocks were read on threads and sent back.
awk 'BEGIN {
	s = 7
	print "#moestat v1 experts=32 topk=4 score=softmax fields=layer,experts,logits model=t"
	for (i = 0; i < 60000; i++) {
		if (i % 20000 == 0)
			print "#domain d" (i / 20000)
		if (i == 45000)
			print "3 1,1,2,3 " l
		# The high bits: the low ones of this generator repeat soon.
		s = (s * 69069 + 1) % 4294967296; a = int(s / 65536) % 32
		s = (s * 69069 + 1) % 4294967296; b = (a + 1 + int(s / 65536) % 8) % 32
		s = (s * 69069 + 1) % 4294967296; c = (b + 1 + int(s / 65536) % 8) % 32
		s = (s * 69069 + 1) % 4294967296; d = (c + 1 + int(s / 65536) % 8) % 32
		l = ""
		for (e = 0; e < 32; e++) {
			s = (s * 69069 + 1) % 4294967296
			l = l (e ? "," : "") sprintf("%.2f", (int(s / 65536) % 1000) / 250 - 2)
		}
		print (i % 6) " " a "," b "," c "," d " " l
	}
}' > domains.mlog
grep -v '^#domain' domains.mlog | grep -v '^3 1,1,2,3 ' > clean.mlog
gzip -c domains.mlog > domains.mlog.gz
gzip -c clean.mlog > clean.mlog.gz
# Without the logits: the lines that workers read in runs (mlog's fast path),
# more than a block of them before a bad record.
awk 'BEGIN {
	s = 11
	print "#moestat v1 experts=32 topk=4 fields=layer,experts"
	for (i = 0; i < 130000; i++) {
		if (i == 120000)
			print "3 1,1,2,3"
		s = (s * 69069 + 1) % 4294967296; a = int(s / 65536) % 32
		s = (s * 69069 + 1) % 4294967296; b = (a + 1 + int(s / 65536) % 8) % 32
		s = (s * 69069 + 1) % 4294967296; c = (b + 1 + int(s / 65536) % 8) % 32
		s = (s * 69069 + 1) % 4294967296; d = (c + 1 + int(s / 65536) % 8) % 32
		print (i % 6) " " a "," b "," c "," d
	}
}' > ids.mlog
gzip -c ids.mlog > ids.mlog.gz
[ "$(wc -c < clean.mlog)" -gt 2000000 ] || echo "clean.mlog is too small to be read on threads"
[ "$(wc -c < ids.mlog)" -gt 1100000 ] || echo "ids.mlog is too small to be read on threads"
same() {
	MOESTAT_THREADS=1 MOESTAT_SIMD=0 moestat "$@" > one.out 2> one.err
	one=$?
	moestat "$@" > many.out 2> many.err
	many=$?
	if [ $one = $many ] && cmp -s one.out many.out && cmp -s one.err many.err; then
		echo "same: $* (exit $one)"
	else
		echo "DIFFERENT: $* (exit $one, $many)"
		diff one.err many.err | head -5
	fi
}
for f in ids.mlog ids.mlog.gz; do
	same summarize --json --skip-bad $f
	same summarize --layers 1,3 --json --skip-bad $f
	same dead --json --threshold 50 --skip-bad $f
	same maxvio --json --skip-bad $f
	same summarize --batch 64 --json --skip-bad $f
	same summarize $f
done
for f in clean.mlog clean.mlog.gz domains.mlog domains.mlog.gz; do
	same summarize --json --skip-bad $f
	same summarize --by-domain --skip-bad $f
	same summarize --domain d1 --layers 0-2 --json --skip-bad $f
	same dead --json --threshold 50 --skip-bad $f
	same maxvio --json --skip-bad $f
	same summarize --batch 64 --json --skip-bad $f
	same pairs --json --skip-bad $f
	same replay --strategy lossfree --json --skip-bad $f
	same convert --skip-bad $f
	same summarize $f
done
