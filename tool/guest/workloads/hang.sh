# hang: never finishes, to show that the host's timeout kills QEMU and
# reports "hang" with the last console lines.

echo "hang: sleeping until the host gives up"
while :; do
	sleep 3600
done
