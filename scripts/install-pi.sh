#!/usr/bin/env bash
# Install nhc-scale on a Raspberry Pi running Raspberry Pi OS (Debian bookworm or later).
#
#   sudo scripts/install-pi.sh [--hostname nhc-scale] [--firmware]
#   sudo scripts/install-pi.sh --uninstall [--purge]
#
# Safe to run again: every step checks what is already there. With --root DIR it writes into
# DIR only (no apt, no systemctl, no users, no hostname change on this machine): the tests use
# that to check the result, and it shows what an install would write.
set -euo pipefail

readonly APP=nhc-scale
readonly MARK_BEGIN="# BEGIN nhc-scale (scripts/install-pi.sh --firmware; see firmware/README.md)"
readonly MARK_END="# END nhc-scale"

usage() {
    cat <<EOF
Usage: install-pi.sh [options]

  --hostname NAME   set the host name (then the Pi answers as NAME.local, e.g. nhc-scale.local)
  --firmware        add firmware/config.txt and firmware/cmdline.txt to the boot partition
                    (a backup is kept next to each file; takes effect after a reboot)
  --boot-dir DIR    the boot partition (default: /boot/firmware, or /boot on older systems)
  --cpus N          CPU count used to decide on core isolation (default: nproc --all)
  --no-start        install and enable the service, but do not (re)start it
  --no-venv         do not create the virtual environment in /opt/nhc-scale
  --uninstall       remove the service and the program; keep settings and recorded data
  --purge           with --uninstall: also delete settings, data and the nhc-scale user
  --root DIR        write into DIR instead of /, touching nothing else on this machine
  -h, --help        this text
EOF
}

say() { printf '%s: %s\n' "$APP" "$*"; }
warn() { printf '%s: warning: %s\n' "$APP" "$*" >&2; }
die() { printf '%s: error: %s\n' "$APP" "$*" >&2; exit 1; }

SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT=""
HOSTNAME_NEW=""
FIRMWARE=0
BOOT_DIR=""
CPUS=""
START=1
VENV=1
UNINSTALL=0
PURGE=0

while [ $# -gt 0 ]; do
    case "$1" in
        --hostname) HOSTNAME_NEW=${2:?--hostname needs a name}; shift ;;
        --firmware) FIRMWARE=1 ;;
        --boot-dir) BOOT_DIR=${2:?--boot-dir needs a directory}; shift ;;
        --cpus) CPUS=${2:?--cpus needs a number}; shift ;;
        --no-start) START=0 ;;
        --no-venv) VENV=0 ;;
        --uninstall) UNINSTALL=1 ;;
        --purge) PURGE=1 ;;
        --root) ROOT=${2:?--root needs a directory}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
    shift
done

if [ -n "$ROOT" ]; then
    mkdir -p "$ROOT"
    ROOT=$(cd "$ROOT" && pwd)
    [ "$ROOT" != / ] || ROOT=""
fi
STAGING=0
[ -z "$ROOT" ] || STAGING=1
[ "$PURGE" -eq 0 ] || [ "$UNINSTALL" -eq 1 ] || die "--purge only goes with --uninstall"
if [ -n "$HOSTNAME_NEW" ] && ! [[ "$HOSTNAME_NEW" =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]]; then
    die "--hostname: use lowercase letters, digits and inner hyphens (got '$HOSTNAME_NEW')"
fi
if [ -n "$CPUS" ] && ! [[ "$CPUS" =~ ^[1-9][0-9]*$ ]]; then
    die "--cpus: a positive number, please (got '$CPUS')"
fi
if [ "$STAGING" -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
    die "run as root (sudo $0 $*), or use --root DIR to stage the files"
fi

readonly OPT=/opt/nhc-scale
readonly UNIT=/etc/systemd/system/nhc-scale.service
readonly WANTS=/etc/systemd/system/multi-user.target.wants/nhc-scale.service
readonly AVAHI=/etc/avahi/services/nhc-scale.service
readonly SYSUSERS=/usr/lib/sysusers.d/nhc-scale.conf
readonly CONF_DIR=/etc/nhc-scale
readonly STATE_DIR=/var/lib/nhc-scale
readonly LINK=/usr/local/bin/nhc-scale

# Run a command that changes the live system; in staging mode only say what it would be.
live() {
    if [ "$STAGING" -eq 1 ]; then
        say "(staging, skipped) $*"
    else
        "$@"
    fi
}

# install FILE MODE DEST (DEST without ROOT); rewrites it only when the content differs.
put() {
    local src=$1 mode=$2 dest=$ROOT$3
    mkdir -p "$(dirname "$dest")"
    if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
        chmod "$mode" "$dest"
        return 0
    fi
    install -m "$mode" "$src" "$dest"
    say "wrote $3"
}

backup() {
    local file=$1 base copy n=1
    base="$file.nhc-scale-backup-$(date +%Y%m%d-%H%M%S)"
    copy=$base
    # Two changes within a second (apply, then uninstall) must not overwrite the first backup.
    while [ -e "$copy" ]; do
        copy="$base.$n"
        n=$((n + 1))
    done
    cp -p "$file" "$copy"
    say "backup: ${copy#"$ROOT"}"
}

boot_dir() {
    if [ -n "$BOOT_DIR" ]; then
        printf '%s\n' "$ROOT$BOOT_DIR"
    elif [ -d "$ROOT/boot/firmware" ]; then
        printf '%s\n' "$ROOT/boot/firmware"
    else
        printf '%s\n' "$ROOT/boot"
    fi
}

cpu_count() {
    if [ -n "$CPUS" ]; then
        printf '%s\n' "$CPUS"
    else
        # --all: with isolcpus in force, plain nproc would not count the isolated core.
        nproc --all
    fi
}

# config.txt: our lines live between two markers, so a second run replaces them.
config_txt_apply() {
    local file=$1 wanted current tmp
    [ -f "$file" ] || die "$file not found: is $(dirname "$file") the boot partition? (--boot-dir)"
    wanted=$(printf '%s\n' "$MARK_BEGIN"; grep -v '^#' "$SOURCE/firmware/config.txt" | grep -v '^$'
             printf '%s\n' "$MARK_END")
    current=$(sed -n "/^# BEGIN nhc-scale/,/^# END nhc-scale/p" "$file")
    if [ "$current" = "$wanted" ]; then
        say "${file#"$ROOT"} already has the nhc-scale lines"
        return 0
    fi
    backup "$file"
    tmp=$(mktemp)
    sed "/^# BEGIN nhc-scale/,/^# END nhc-scale/d" "$file" > "$tmp"
    # The last byte of config.txt may lack a newline; ours must start on a line of its own.
    if [ -s "$tmp" ] && [ -n "$(tail -c 1 "$tmp")" ]; then
        printf '\n' >> "$tmp"
    fi
    printf '%s\n' "$wanted" >> "$tmp"
    cat "$tmp" > "$file"
    rm -f "$tmp"
    say "added the nhc-scale lines to ${file#"$ROOT"}"
}

config_txt_remove() {
    local file=$1 tmp
    [ -f "$file" ] && grep -q '^# BEGIN nhc-scale' "$file" || return 0
    backup "$file"
    tmp=$(mktemp)
    sed "/^# BEGIN nhc-scale/,/^# END nhc-scale/d" "$file" > "$tmp"
    cat "$tmp" > "$file"
    rm -f "$tmp"
    say "removed the nhc-scale lines from ${file#"$ROOT"}"
}

# cmdline.txt is one line; the firmware ignores everything after the first newline.
cmdline_read() {
    local file=$1 lines
    [ -f "$file" ] || die "$file not found: is $(dirname "$file") the boot partition? (--boot-dir)"
    lines=$(grep -c '[^[:space:]]' "$file" || true)
    [ "$lines" -le 1 ] || die "$file has $lines lines; the kernel command line must be one: fix it first"
    tr -s '[:space:]' ' ' < "$file" | sed 's/^ //; s/ $//'
}

cmdline_apply() {
    local file=$1 line param key added="" params
    line=$(cmdline_read "$file")
    read -ra params < "$SOURCE/firmware/cmdline.txt"
    for param in "${params[@]}"; do
        key=${param%%=*}
        case " $line " in
            *" $param "*) continue ;;
            *" $key="*)
                warn "${file#"$ROOT"} already sets $key differently; left as it is (we would set $param)"
                continue ;;
        esac
        line="$line $param"
        added="$added $param"
    done
    if [ -z "$added" ]; then
        say "${file#"$ROOT"} already has the nhc-scale parameters"
        return 0
    fi
    backup "$file"
    printf '%s\n' "$line" > "$file"
    say "added to ${file#"$ROOT"}:$added"
}

cmdline_remove() {
    local file=$1 line param kept="" changed=0
    [ -f "$file" ] || return 0
    line=$(cmdline_read "$file")
    for param in $line; do
        if grep -qxF -- "$param" <(tr ' ' '\n' < "$SOURCE/firmware/cmdline.txt"); then
            changed=1
        else
            kept="${kept:+$kept }$param"
        fi
    done
    [ "$changed" -eq 1 ] || return 0
    backup "$file"
    printf '%s\n' "$kept" > "$file"
    say "removed the nhc-scale parameters from ${file#"$ROOT"}"
}

firmware_apply() {
    local boot cpus
    boot=$(boot_dir)
    cpus=$(cpu_count)
    config_txt_apply "$boot/config.txt"
    if [ "$cpus" -eq 4 ]; then
        cmdline_apply "$boot/cmdline.txt"
    elif [ "$cpus" -eq 1 ]; then
        say "single-core Pi: no core to isolate, cmdline.txt left as it is"
    else
        warn "$cpus CPUs: firmware/cmdline.txt isolates CPU 3 of 4; cmdline.txt left as it is"
    fi
    if [ "$STAGING" -eq 0 ] && systemctl cat hciuart.service >/dev/null 2>&1; then
        # With Bluetooth off (disable-bt) the modem service only fails at every boot.
        systemctl disable hciuart.service || true
    fi
    say "firmware changes take effect after a reboot"
}

apt_install() {
    local packages=(python3 python3-venv python3-dev build-essential avahi-daemon)
    # Only needed when pip has to build lgpio from source; not in every distribution.
    local optional=(swig liblgpio-dev)
    live apt-get update
    local p
    for p in "${optional[@]}"; do
        if [ "$STAGING" -eq 0 ] && apt-cache show "$p" >/dev/null 2>&1; then
            packages+=("$p")
        fi
    done
    live env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
}

make_venv() {
    local venv=$ROOT$OPT
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    # The versions the tests passed with (constraints.txt), not whatever is newest today.
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
        -c "$SOURCE/constraints.txt" "${SOURCE}[pi]"
    say "installed nhc-scale into $OPT"
}

write_default_config() {
    local conf=$ROOT$CONF_DIR/config.toml env=$ROOT$CONF_DIR/environment
    mkdir -p "$ROOT$CONF_DIR"
    if [ -e "$conf" ]; then
        say "kept the existing $CONF_DIR/config.toml"
    else
        install -m 0644 "$SOURCE/scripts/config.default.toml" "$conf"
        say "wrote $CONF_DIR/config.toml (defaults)"
    fi
    if [ ! -e "$env" ]; then
        cat > "$env" <<'EOF'
# NHC_* settings for the nhc-scale service, one NAME=value a line (systemd EnvironmentFile=).
# They win over config.toml. Unknown NHC_ names stop the service: a typo must not go unnoticed.
#NHC_PINS=auto
EOF
        chmod 0644 "$env"
        say "wrote $CONF_DIR/environment"
    fi
}

set_hostname() {
    local hosts=$ROOT/etc/hosts old
    old=$(cat "$ROOT/etc/hostname" 2>/dev/null || true)
    if [ "$old" = "$HOSTNAME_NEW" ]; then
        say "host name is already $HOSTNAME_NEW"
        return 0
    fi
    if [ "$STAGING" -eq 1 ]; then
        mkdir -p "$ROOT/etc"
        printf '%s\n' "$HOSTNAME_NEW" > "$ROOT/etc/hostname"
    else
        hostnamectl set-hostname "$HOSTNAME_NEW"
    fi
    # Raspberry Pi OS names the host on a 127.0.1.1 line; sudo complains if it goes stale.
    if [ -f "$hosts" ]; then
        if grep -q '^127\.0\.1\.1' "$hosts"; then
            sed -i "s/^127\.0\.1\.1.*/127.0.1.1\t$HOSTNAME_NEW/" "$hosts"
        else
            printf '127.0.1.1\t%s\n' "$HOSTNAME_NEW" >> "$hosts"
        fi
    fi
    say "host name set to $HOSTNAME_NEW: the page is http://$HOSTNAME_NEW.local"
}

install_all() {
    apt_install
    put "$SOURCE/systemd/nhc-scale.sysusers" 0644 "$SYSUSERS"
    live systemd-sysusers nhc-scale.conf
    # systemd creates it at the first start too; the commands may run before that (calibrate).
    live install -d -o nhc-scale -g nhc-scale -m 0750 "$STATE_DIR"
    if [ "$VENV" -eq 1 ]; then
        make_venv
        mkdir -p "$(dirname "$ROOT$LINK")"
        ln -sfn "$OPT/bin/nhc-scale" "$ROOT$LINK"
    fi
    local doc
    for doc in "$SOURCE"/hardware/*.md "$SOURCE"/hardware/*.svg "$SOURCE/firmware/README.md"; do
        [ -f "$doc" ] || continue
        case "$doc" in
            */firmware/README.md) put "$doc" 0644 "$OPT/doc/firmware.md" ;;
            *) put "$doc" 0644 "$OPT/doc/$(basename "$doc")" ;;
        esac
    done
    put "$SOURCE/systemd/README.md" 0644 "$OPT/doc/systemd.md"
    put "$SOURCE/systemd/nhc-scale.service" 0644 "$UNIT"
    put "$SOURCE/systemd/avahi/nhc-scale.service" 0644 "$AVAHI"
    write_default_config
    [ -z "$HOSTNAME_NEW" ] || set_hostname
    [ "$FIRMWARE" -eq 0 ] || firmware_apply

    if [ "$STAGING" -eq 1 ]; then
        # What `systemctl enable` does, without asking a running systemd.
        mkdir -p "$(dirname "$ROOT$WANTS")"
        ln -sfn "$UNIT" "$ROOT$WANTS"
    else
        systemctl daemon-reload
        systemctl enable avahi-daemon.service
        systemctl restart avahi-daemon.service
        systemctl enable nhc-scale.service
        if [ "$START" -eq 1 ]; then
            systemctl restart nhc-scale.service
        fi
    fi
    say "done. Check with: systemctl status nhc-scale; journalctl -u nhc-scale"
}

uninstall_all() {
    if [ "$STAGING" -eq 0 ]; then
        systemctl disable --now nhc-scale.service 2>/dev/null || true
    fi
    rm -f "$ROOT$WANTS" "$ROOT$UNIT" "$ROOT$AVAHI" "$ROOT$LINK"
    rm -rf "$ROOT$OPT"
    live systemctl daemon-reload
    if [ "$FIRMWARE" -eq 1 ]; then
        config_txt_remove "$(boot_dir)/config.txt"
        cmdline_remove "$(boot_dir)/cmdline.txt"
    fi
    if [ "$PURGE" -eq 1 ]; then
        rm -rf "$ROOT$CONF_DIR" "$ROOT$STATE_DIR"
        rm -f "$ROOT$SYSUSERS"
        if [ "$STAGING" -eq 0 ] && id nhc-scale >/dev/null 2>&1; then
            userdel nhc-scale
        fi
        say "removed nhc-scale with its settings and data"
    else
        say "removed nhc-scale; kept $CONF_DIR and the data in $STATE_DIR (--purge deletes them)"
    fi
}

if [ "$UNINSTALL" -eq 1 ]; then
    uninstall_all
else
    install_all
fi
