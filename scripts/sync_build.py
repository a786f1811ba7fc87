"""Mirror the working tree into the collection tree that ansible-test needs.

ansible-test only works on a collection that sits at
.../ansible_collections/<namespace>/<name>/ inside a git repository, and it
takes the file list from git. This script copies every file git would see in
the working tree (tracked, plus untracked files that are not ignored) to
DEST, deletes what is no longer there, and makes DEST a git repository of its
own (no commit is needed: ansible-test lists untracked files too).

Only changed files are copied (size and mtime compared), so a re-run costs
milliseconds. DEST/.git and DEST/tests/output (ansible-test's results) are kept.

Usage: python3 scripts/sync_build.py DEST
"""

import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEEP = ('.git', os.path.join('tests', 'output'))


def source_files():
    """Paths (relative to ROOT) of the files git sees in the working tree."""
    listing = subprocess.run(
        ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
        cwd=ROOT, check=True, stdout=subprocess.PIPE).stdout.decode('utf-8')
    # a tracked file deleted from the working tree is still listed: skip it
    return {path for path in listing.split('\0') if path and os.path.lexists(os.path.join(ROOT, path))}


def is_kept(relpath):
    return any(relpath == keep or relpath.startswith(keep + os.sep) for keep in KEEP)


def same_file(src, dst):
    if os.path.islink(src) or os.path.islink(dst):
        return os.path.islink(src) and os.path.islink(dst) and os.readlink(src) == os.readlink(dst)
    try:
        src_stat, dst_stat = os.stat(src), os.stat(dst)
    except FileNotFoundError:
        return False
    return (src_stat.st_size == dst_stat.st_size and int(src_stat.st_mtime) == int(dst_stat.st_mtime)
            and src_stat.st_mode == dst_stat.st_mode)


def copy_one(relpath, dest):
    src, dst = os.path.join(ROOT, relpath), os.path.join(dest, relpath)
    if same_file(src, dst):
        return False
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.lexists(dst) or os.path.isdir(dst):
        remove(dst)
    if os.path.islink(src):
        os.symlink(os.readlink(src), dst)
    else:
        shutil.copy2(src, dst)
    return True


def remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.remove(path)


def prune(dest, wanted):
    """Delete files and empty directories in dest that the working tree no longer has."""
    removed = 0
    for dirpath, dirnames, filenames in os.walk(dest, topdown=False):
        reldir = os.path.relpath(dirpath, dest)
        reldir = '' if reldir == '.' else reldir
        if is_kept(reldir):
            continue
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            relpath = os.path.join(reldir, name)
            if relpath not in wanted and not is_kept(relpath):
                os.remove(os.path.join(dirpath, name))
                removed += 1
        if reldir and not os.listdir(dirpath):
            os.rmdir(dirpath)
    return removed


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    dest = os.path.abspath(sys.argv[1])
    if dest == ROOT or (ROOT + os.sep).startswith(dest + os.sep):
        sys.exit('refusing to sync into %s: it holds the working tree' % dest)
    wanted = source_files()
    os.makedirs(dest, exist_ok=True)
    copied = sum(copy_one(relpath, dest) for relpath in sorted(wanted))
    removed = prune(dest, wanted)
    if not os.path.isdir(os.path.join(dest, '.git')):
        subprocess.run(['git', 'init', '-q', dest], check=True)
    print('collection tree %s: %d files, %d copied, %d removed' % (dest, len(wanted), copied, removed))


if __name__ == '__main__':
    main()
