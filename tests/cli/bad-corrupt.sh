# Damaged gzip data (the CRC, a header flag or CRC) and data after the last member, even zeros
# (a block's padding), are I/O errors, exit 74.
printf "0 1,2\n0 3,4\n" | gzip -c > ok.gz
cp ok.gz garbage.gz
printf "junk" >> garbage.gz
moestat summarize garbage.gz
echo "status $?"
cp ok.gz padded.gz
head -c 512 /dev/zero >> padded.gz
moestat summarize padded.gz
echo "status $?"
# A reserved bit of a member's header flags: gzip -t refuses it, and so does every build.
printf '\037\213\010\040' > flags.gz
tail -c +5 ok.gz >> flags.gz
moestat summarize flags.gz
echo "status $?"
cat ok.gz flags.gz > second.gz
moestat summarize second.gz
echo "status $?"
# A header CRC (FHCRC) that does not match its header: a header check in every build.
printf '\037\213\010\002\000\000\000\000\000\003\064\022\063\120\060\324\061\342' > hcrc.gz
printf '\062\120\060\326\061\341\002\000\310\066\201\044\014\000\000\000' >> hcrc.gz
moestat summarize hcrc.gz
echo "status $?"
size=$(wc -c < ok.gz)
head -c $((size - 8)) ok.gz > crc.gz
printf "\000\000\000\000\014\000\000\000" >> crc.gz
moestat summarize crc.gz
