# An input that opens but cannot be read: exit 66, with the reason. /proc/self/mem
# opens and fails its first read (EIO) even for root; a file without read
# permission is checked only where that stops the reader (not for root).
moestat summarize /proc/self/mem
echo "status $?"
printf '0 1\n' > locked.mlog
chmod 000 locked.mlog
if cat locked.mlog >/dev/null 2>&1; then
	echo "chmod 000 not checked: $(id -un) reads the file anyway" >>"$NOTES"
else
	moestat summarize locked.mlog 2>err
	status=$?
	want="moestat: locked.mlog: cannot open: Permission denied"
	[ $status = 66 ] && [ "$(cat err)" = "$want" ] || echo "chmod 000: status $status, $(cat err)"
fi
