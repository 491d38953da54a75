# Damaged gzip data (the CRC, a header flag) and data after the last member, even zeros
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
size=$(wc -c < ok.gz)
head -c $((size - 8)) ok.gz > crc.gz
printf "\000\000\000\000\014\000\000\000" >> crc.gz
moestat summarize crc.gz
