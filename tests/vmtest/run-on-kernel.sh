#!/usr/bin/env bash
# run-on-kernel.sh: owns one guest run. It boots one unpacked kernel in qemu,
# runs one command inside it and hands back the command's output and status.
# vmtest.sh (which fetches the kernels) calls it; it can also be used alone:
#
#   tests/vmtest/run-on-kernel.sh KERNEL_DIR -- COMMAND [ARG...]
#
# KERNEL_DIR is a Debian kernel image package unpacked with dpkg-deb -x: it
# holds boot/vmlinuz-VER and lib/modules/VER/ (or usr/lib/modules/VER/).
# The guest's userspace is this machine's own root filesystem, exported
# read-only by virtiofsd and covered in the guest by a tmpfs overlay: the
# command can write anywhere, its writes live in guest memory and vanish at
# power off, and the host is never written. Only the filesystem mounted at /
# is exported; other host mounts are invisible in the guest. COMMAND runs as
# root in the current directory, its stdout and stderr merged and streamed
# here while it runs; stdin is /dev/null and there is no terminal.
#
# Exit status: COMMAND's own; 124 if the run hit VMTEST_TIMEOUT; 125 if the
# guest never ran COMMAND to its end (no boot, mount failure...: the tail of
# the console log is printed on stderr).
#
# Settings (environment):
#   VMTEST_TIMEOUT  limit in seconds for the whole run, boot included
#                   (default 3600; vmtest.sh passes its own, 2400)
#   VMTEST_MEM      guest memory, qemu syntax (default 2G)
#   VMTEST_SMP      guest CPUs (default 2)
#   VMTEST_ENV      more variable names to copy into the guest. Always
#                   copied when set: PATH HOME TERM LANG LC_ALL LC_CTYPE TZ
#                   CI and every IPCSCOPE* variable.
#   VMTEST_APPEND   more kernel command line (e.g. VMTEST_TMPFS=50% sizes
#                   the guest's writable layer, default 75% of its memory)
#   VMTEST_TMP      tmpfs (default): the guest gets a fresh, empty /tmp.
#                   The host /tmp entries it needs appear there at their own
#                   paths (bind mounts): the one holding the current
#                   directory, those named by absolute /tmp/... arguments,
#                   and those listed (space-separated) in VMTEST_TMP_KEEP.
#                   Every other host /tmp entry is a symlink into
#                   /run/vmtest/host-tmp, so it resolves to another path.
#                   host: the guest sees the host's /tmp itself, through the
#                   overlay, with overlayfs semantics (st_dev differs, mmap
#                   references the lower file, ...).
#   VMTEST_CONSOLE  keep the guest's console log (kernel messages) in this file
#   VMTEST_QUIET=1  do not print the closing "vmtest:" timing line on stderr
#   VMTEST_ACCEL    qemu accelerator (default: kvm when /dev/kvm is
#                   writable, otherwise tcg,thread=multi)
#   QEMU, VIRTIOFSD, BUSYBOX  the programs used (defaults:
#                   qemu-system-x86_64, /usr/lib/qemu/virtiofsd, /bin/busybox)
#
# Needs root (virtiofsd must read every file), Debian 12's qemu-system-x86
# (qemu-system-x86_64 and the C virtiofsd) and busybox-static. The kernel
# needs virtio-pci, fuse, virtiofs and overlayfs, built in or as modules.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' \
		"${BASH_SOURCE[0]}" >&2
	exit 2
}
[ $# -ge 3 ] && [ "$2" = -- ] || usage
kdir=$1
shift 2

die() { echo "run-on-kernel: $*" >&2; exit 125; }

[ "$(id -u)" = 0 ] || die "must run as root (virtiofsd exports the whole root filesystem)"
QEMU=${QEMU:-qemu-system-x86_64}
VIRTIOFSD=${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}
BUSYBOX=${BUSYBOX:-/bin/busybox}
command -v "$QEMU" >/dev/null || die "$QEMU not found: apt-get install qemu-system-x86"
[ -x "$VIRTIOFSD" ] || die "$VIRTIOFSD not found: apt-get install qemu-system-x86"
[ -x "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 ||
	die "$BUSYBOX is missing or not static: apt-get install busybox-static"

vmlinuz=$(ls "$kdir"/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || die "$kdir has no boot/vmlinuz-*: not an unpacked kernel image package"
kver=${vmlinuz##*/vmlinuz-}
mdir=$kdir/lib/modules/$kver
[ -d "$mdir" ] || mdir=$kdir/usr/lib/modules/$kver	# merged-/usr packages
[ -d "$mdir" ] || die "$kdir has neither lib/modules/$kver nor usr/lib/modules/$kver"

timeout_s=${VMTEST_TIMEOUT:-3600}
mem=${VMTEST_MEM:-2G}
smp=${VMTEST_SMP:-2}
if [ -n "${VMTEST_ACCEL:-}" ]; then
	accel=$VMTEST_ACCEL
elif [ -w /dev/kvm ]; then
	accel=kvm
else
	accel=tcg,thread=multi
fi

# Everything of this run lives in one host directory under /tmp. The guest
# reads job.sh and tmpkeep from it, so it must be visible there too (the
# keep list below always names it).
tmp=$(mktemp -d /tmp/vmtest.XXXXXX) || die "mktemp failed"
qpid='' vpid='' tpid=''
cleanup() {
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	[ -n "$vpid" ] && kill "$vpid" 2>/dev/null
	wait 2>/dev/null
	[ -n "${VMTEST_CONSOLE:-}" ] && [ -f "$tmp/console.log" ] &&
		cp "$tmp/console.log" "$VMTEST_CONSOLE"
	# $tmp/root was only a mount point inside virtiofsd's own namespace
	rmdir "$tmp/root" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- initramfs ---------------------------------------------------------------
# busybox, guest-init as /init, and the modules needed to reach the share,
# listed in load order. A module the kernel has built in is simply absent.
mods="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci fuse virtiofs overlay"
ird=$tmp/initrd
mkdir -p "$ird/bin" "$ird/modules"
cp "$BUSYBOX" "$ird/bin/busybox"
cp "$here/guest-init" "$ird/init"
chmod 755 "$ird/init"
: >"$ird/modules/order"
for m in $mods; do
	f=$(find "$mdir/kernel" -name "$m.ko*" 2>/dev/null | head -n 1)
	[ -n "$f" ] || continue
	case $f in
	*.ko) cp "$f" "$ird/modules/$m.ko" ;;
	*.ko.xz) if command -v xz >/dev/null; then xz -dc "$f"
		 else "$BUSYBOX" xz -dc "$f"; fi >"$ird/modules/$m.ko" ;;
	*.ko.zst) zstd -qdc "$f" >"$ird/modules/$m.ko" ;;
	*.ko.gz) gzip -dc "$f" >"$ird/modules/$m.ko" ;;
	esac
	echo "$m" >>"$ird/modules/order"
done
(cd "$ird" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1) \
	>"$tmp/initrd.cpio.gz" || die "could not build the initramfs"
rm -rf "$ird"

# --- the job script the guest runs -------------------------------------------
# It recreates the caller's environment (the variables listed above), its
# working directory and its argv, each quoted with %q.
{
	echo "# job for one guest run, written by run-on-kernel.sh"
	for v in PATH HOME TERM LANG LC_ALL LC_CTYPE TZ CI ${VMTEST_ENV:-} \
		 $(compgen -e | grep '^IPCSCOPE'); do
		[ -n "${!v+x}" ] && printf 'export %s=%q\n' "$v" "${!v}"
	done
	[ -n "${TERM:-}" ] || echo "export TERM=xterm"
	printf 'cd %q || exit 125\n' "$PWD"
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$tmp/job.sh"

# The top-level host /tmp entries that the guest's fresh /tmp must show at
# their real paths (see VMTEST_TMP).
tmp_entry() {
	case $1 in
	/tmp/?*) local r=${1#/tmp/}; echo "${r%%/*}" ;;
	esac
}
{
	tmp_entry "$PWD/"
	tmp_entry "$(pwd -P)/"
	tmp_entry "$tmp/"
	for a in "$@" ${VMTEST_TMP_KEEP:-}; do tmp_entry "$a"; done
} | sort -u >"$tmp/tmpkeep"

# --- virtiofsd -----------------------------------------------------------------
# It serves a read-only bind mount of /, made in a mount namespace of its
# own: nothing else sees the bind, and it disappears when virtiofsd exits.
mkdir -p "$tmp/root"
unshare -m --propagation private /bin/sh -c '
	mount --bind / "$1" && mount -o remount,bind,ro "$1" || exit 1
	exec "$2" --socket-path="$3" -o source="$1" -o cache=always \
		-o sandbox=namespace -o no_posix_lock -o log_level=warn
' sh "$tmp/root" "$VIRTIOFSD" "$tmp/vfs.sock" >"$tmp/virtiofsd.log" 2>&1 &
vpid=$!
for _ in $(seq 100); do
	[ -S "$tmp/vfs.sock" ] && break
	kill -0 "$vpid" 2>/dev/null || break
	sleep 0.1
done
[ -S "$tmp/vfs.sock" ] || { cat "$tmp/virtiofsd.log" >&2; die "virtiofsd did not start"; }

# --- qemu ----------------------------------------------------------------------
# ttyS0 (console.log): kernel messages and guest-init's VMTEST-* marks.
# ttyS1 (out.log): the command's output alone, streamed by tail below.
# vhost-user-fs needs guest memory the host can share, hence the memfd.
: >"$tmp/out.log"
: >"$tmp/console.log"
start=$(date +%s.%N)
timeout -k 10 "$timeout_s" "$QEMU" \
	-machine q35 -accel "$accel" -cpu max -smp "$smp" -m "$mem" \
	-object memory-backend-memfd,id=mem,size="$mem",share=on \
	-numa node,memdev=mem \
	-chardev socket,id=vfs,path="$tmp/vfs.sock" \
	-device vhost-user-fs-pci,chardev=vfs,tag=hostroot \
	-kernel "$vmlinuz" -initrd "$tmp/initrd.cpio.gz" \
	-append "console=ttyS0 quiet panic=-1 vmtest.job=$tmp/job.sh vmtest.tmp=${VMTEST_TMP:-tmpfs} ${VMTEST_APPEND:-}" \
	-nodefaults -display none -no-reboot \
	-chardev file,id=con,path="$tmp/console.log" -serial chardev:con \
	-chardev file,id=out,path="$tmp/out.log" -serial chardev:out \
	</dev/null >"$tmp/qemu.log" 2>&1 &
qpid=$!
tail -n +1 -f --pid="$qpid" "$tmp/out.log" &
tpid=$!
wait "$qpid"
qrc=$?
qpid=
wait "$tpid" 2>/dev/null
tpid=
end=$(date +%s.%N)

# guest-init prints VMTEST-EXIT=N on the console once the command is done
# (guest-init's own failures print VMTEST-EXIT=125 before any VMTEST-START)
rc=$(sed -n 's/^VMTEST-EXIT=\([0-9]*\).*/\1/p' "$tmp/console.log" | tail -n 1)
started=$(grep -c '^VMTEST-START' "$tmp/console.log")
if [ -z "$rc" ] || [ "$started" = 0 ]; then
	if [ -n "$rc" ]; then
		echo "run-on-kernel: the guest could not start the command" >&2
		rc=125
	elif [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "run-on-kernel: timed out after ${timeout_s} s (VMTEST_TIMEOUT)" >&2
		rc=124
	else
		echo "run-on-kernel: the guest stopped before the command finished (qemu exit $qrc)" >&2
		rc=125
	fi
	echo "--- qemu:" >&2; tail -n 20 "$tmp/qemu.log" >&2
	echo "--- guest console, last 40 lines:" >&2
	tail -n 40 "$tmp/console.log" | tr -d '\r' >&2
fi

if [ "${VMTEST_QUIET:-0}" != 1 ]; then
	t0=$(sed -n 's/^VMTEST-START uptime=\([0-9.]*\).*/\1/p' "$tmp/console.log" | tail -n 1)
	t1=$(sed -n 's/^VMTEST-END uptime=\([0-9.]*\).*/\1/p' "$tmp/console.log" | tail -n 1)
	awk -v k="$kver" -v a="$accel" -v s="$start" -v e="$end" -v t0="$t0" \
	    -v t1="$t1" -v rc="$rc" 'BEGIN {
		printf "vmtest: kernel %s (%s): ", k, a
		if (t0 != "") printf "boot %.1f s, ", t0
		if (t0 != "" && t1 != "") printf "command %.1f s, ", t1 - t0
		printf "total %.1f s, exit %s\n", e - s, rc
	}' >&2
fi
exit "$rc"
