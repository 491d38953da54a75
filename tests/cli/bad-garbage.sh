# Bytes that are no log at all.
printf "\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\003\000>\000\001\000\000\000" > garbage.bin
moestat summarize garbage.bin
