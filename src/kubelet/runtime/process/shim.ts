// The per-container wrapper of the process runtime (our conmon): a few lines of /bin/sh, not a Node
// process, so a container costs one idle shell (~1 MB) besides itself. It outlives the agent (it is
// started in its own session), so an agent restart finds its containers running and learns the exit
// code of one that ended meanwhile.
//
// SHIM DIR CMD…: runs CMD with stdout/stderr appended to DIR/stdout and DIR/stderr (the agent turns
// them into the CRI log), stdin from the DIR/stdin FIFO when present (opened read-write, so the
// container never blocks on a missing writer — and never sees EOF on it), after putting itself into
// the cgroups listed in DIR/cgroups (one cgroup.procs path a line). It writes the container's pid to
// DIR/pid and, when it ends, its exit status (128+N when killed by signal N) to DIR/exit, each with
// one write of a few bytes (a reader that finds the file empty tries again; no `mv`, which would
// cost a process): only shell builtins run in the shim itself. The container is its own session
// and process group (setsid, part of CMD), so a signal to the group does not reach the shim.
export const SHIM_SCRIPT = `#!/bin/sh
d=$1; shift
cpath=$PATH; PATH=/usr/sbin:/usr/bin:/sbin:/bin
if [ -p "$d/stdin" ]; then in="$d/stdin"; else in=/dev/null; fi
(
  # A subshell, not a new sh: /proc/self is this process, whose pid the cgroups get.
  read -r me _ < /proc/self/stat
  if [ -f "$d/cgroups" ]; then while read -r f; do echo "$me" > "$f" || exit 125; done < "$d/cgroups"; fi
  PATH=$cpath
  exec "$@"
) 0<>"$in" >>"$d/stdout" 2>>"$d/stderr" &
pid=$!
echo "$pid" > "$d/pid"
wait "$pid"
code=$?
echo "$code" > "$d/exit"
`;

// Runs inside the container's new mount/UTS namespaces as its first process (pid 1 of its PID
// namespace), then execs the container's program. INIT DIR CMD…:
//   - sets the hostname from DIR/hostname;
//   - bind-mounts every line of DIR/mounts ("hostPath<TAB>containerPath<TAB>ro|rw<TAB>dir|file"),
//     creating the mount point first (the mount namespace shares the host's file system, so a missing
//     mount point is created on the host, empty);
//   - changes to DIR/workdir's directory, drops PWD (the container's env is exactly its config's).
// A failure writes a line to stderr (the container log) and exits 128, which the runtime reports as
// reason StartError.
export const NS_INIT_SCRIPT = `d=$1; shift
cpath=$PATH; PATH=/usr/sbin:/usr/bin:/sbin:/bin
tab=$(printf '\\t')
if [ -f "$d/hostname" ]; then cat "$d/hostname" > /proc/sys/kernel/hostname || { echo "k8ts: cannot set hostname" >&2; exit 128; }; fi
if [ -f "$d/mounts" ]; then
  while IFS="$tab" read -r src dst mode kind; do
    if [ "$kind" = dir ]; then mkdir -p "$dst"; else mkdir -p "$(dirname "$dst")"; [ -e "$dst" ] || : > "$dst"; fi
    mount --bind "$src" "$dst" || { echo "k8ts: cannot mount $src at $dst" >&2; exit 128; }
    if [ "$mode" = ro ]; then mount -o remount,bind,ro "$dst" || { echo "k8ts: cannot make $dst read-only" >&2; exit 128; }; fi
  done < "$d/mounts"
fi
wd=/
if [ -f "$d/workdir" ]; then wd=$(cat "$d/workdir"); fi
mkdir -p "$wd" 2>/dev/null
cd "$wd" || { echo "k8ts: cannot change to working directory $wd" >&2; exit 128; }
unset PWD OLDPWD
PATH=$cpath
exec "$@"
`;

// The same without namespaces (not root): only the working directory.
export const PLAIN_INIT_SCRIPT = `d=$1; shift
cpath=$PATH; PATH=/usr/sbin:/usr/bin:/sbin:/bin
wd=/
if [ -f "$d/workdir" ]; then wd=$(cat "$d/workdir"); fi
cd "$wd" || { echo "k8ts: cannot change to working directory $wd" >&2; exit 128; }
unset PWD OLDPWD
PATH=$cpath
exec "$@"
`;
