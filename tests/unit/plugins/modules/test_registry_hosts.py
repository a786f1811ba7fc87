"""registry_hosts' main() on temporary hosts files: a table of byte-for-byte cases, idempotence, check mode, diff, errors."""

import os
import stat

import pytest

from ansible_collections.alicloud.acr_access.plugins.modules.registry_hosts import main
from acr_twin import seed_ids as ids

ID = ids.INSTANCE_ID
OTHER = "cri-other000000000002"
ENTRIES = [
    dict(ip="10.94.205.198", names=[ids.REGISTRY_DOMAIN]),
    dict(ip="100.103.7.181", names=[ids.AUTH_DOMAIN]),
    dict(ip="100.118.28.43", names=[ids.OSS_DOMAIN]),
]
BLOCK = (b"# BEGIN alicloud.acr_access cri-twin0000000000001\n"
         b"10.94.205.198 acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com\n"
         b"100.103.7.181 dockerauth-vpc.cn-hangzhou.aliyuncs.com\n"
         b"100.118.28.43 oss-cn-hangzhou-internal.aliyuncs.com\n"
         b"# END alicloud.acr_access cri-twin0000000000001\n")
OLD_BLOCK = (b"# BEGIN alicloud.acr_access cri-twin0000000000001\n"
             b"10.94.0.1 acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com\n"
             b"# END alicloud.acr_access cri-twin0000000000001\n")
OTHER_BLOCK = (b"# BEGIN alicloud.acr_access cri-other000000000002\n"
               b"10.95.0.7 other-registry-vpc.cn-beijing.cr.aliyuncs.com\n"
               b"# END alicloud.acr_access cri-other000000000002\n")
FOREIGN = (b"127.0.0.1\tlocalhost localhost.localdomain\n"
           b"# a comment   with  odd   spacing\t\n"
           b"\n"
           b"::1     localhost ip6-localhost ip6-loopback\n"
           b"fe00::0 ip6-localnet\n"
           b"  10.1.2.3    indented.example   # trailing comment\n")

# (case, file before or None for no file, state, file after)
CASES = [
    ("empty file", b"", "present", BLOCK),
    ("no file", None, "present", BLOCK),
    ("foreign lines kept, block appended", FOREIGN, "present", FOREIGN + BLOCK),
    ("no final newline: one added before the block", b"127.0.0.1 localhost", "present", b"127.0.0.1 localhost\n" + BLOCK),
    ("CRLF file: block in CRLF", b"127.0.0.1 localhost\r\n::1 localhost\r\n", "present",
     b"127.0.0.1 localhost\r\n::1 localhost\r\n" + BLOCK.replace(b"\n", b"\r\n")),
    ("block in the middle replaced in place", FOREIGN + OLD_BLOCK + b"10.9.9.9 after.example\n", "present",
     FOREIGN + BLOCK + b"10.9.9.9 after.example\n"),
    ("another instance's block kept", OTHER_BLOCK + FOREIGN, "present", OTHER_BLOCK + FOREIGN + BLOCK),
    ("block already right", FOREIGN + BLOCK + b"# last line without newline", "present", FOREIGN + BLOCK + b"# last line without newline"),
    ("a duplicate block of ours removed", OLD_BLOCK + FOREIGN + OLD_BLOCK, "present", BLOCK + FOREIGN),
    ("markers with surrounding whitespace recognised", b"  " + OLD_BLOCK.replace(b"\n", b" \n", 1) + FOREIGN, "present", BLOCK + FOREIGN),
    ("absent removes only ours", FOREIGN + BLOCK + OTHER_BLOCK + b"1.1.1.1 x", "absent", FOREIGN + OTHER_BLOCK + b"1.1.1.1 x"),
    ("absent without a block", FOREIGN + OTHER_BLOCK, "absent", FOREIGN + OTHER_BLOCK),
    ("absent without a file", None, "absent", None),
    ("bytes that are not UTF-8 kept", b"10.0.0.1 caf\xe9\n", "present", b"10.0.0.1 caf\xe9\n" + BLOCK),
]


def args_for(path, state, **extra):
    args = dict(path=str(path), instance_id=ID, state=state, cloud_init_dir=str(path) + ".no-cloud")
    if state == "present":
        args["entries"] = ENTRIES
    args.update(extra)
    return args


def write(path, content):
    if content is not None:
        path.write_bytes(content)


@pytest.mark.parametrize("case, before, state, after", CASES, ids=[case[0] for case in CASES])
def test_table(run_module, tmp_path, case, before, state, after):
    path = tmp_path / "hosts"
    write(path, before)
    result = run_module(main, args_for(path, state))
    assert "failed" not in result, result
    assert result["changed"] is (before != after)
    if after is None:
        assert not path.exists()
    else:
        assert path.read_bytes() == after
    second = run_module(main, args_for(path, state))
    assert second["changed"] is False and second["action"] == "unchanged"
    assert (path.read_bytes() if after is not None else None) == after


@pytest.mark.parametrize("case, before, state, after", CASES, ids=[case[0] for case in CASES])
def test_check_mode_writes_nothing_and_diff_shows_before_after(run_module, tmp_path, case, before, state, after):
    path = tmp_path / "hosts"
    write(path, before)
    result = run_module(main, dict(args_for(path, state), _ansible_check_mode=True, _ansible_diff=True))
    assert result["changed"] is (before != after)
    assert (path.read_bytes() if path.exists() else None) == before
    assert result["diff"]["before"] == (before or b"").decode("utf-8", "replace")
    assert result["diff"]["after"] == (after or b"").decode("utf-8", "replace")


def test_mode_and_action(run_module, tmp_path):
    path = tmp_path / "hosts"
    path.write_bytes(FOREIGN)
    os.chmod(path, 0o640)
    assert run_module(main, args_for(path, "present"))["action"] == "added"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    changed = [dict(ENTRIES[0], ip="10.94.205.199")] + ENTRIES[1:]
    result = run_module(main, args_for(path, "present", entries=changed))
    assert result["action"] == "replaced" and b"10.94.205.199 acr-twin" in path.read_bytes()
    assert result["block"][1] == "10.94.205.199 acr-twin-registry-vpc.cn-hangzhou.cr.aliyuncs.com"
    assert run_module(main, args_for(path, "absent"))["action"] == "removed"
    assert path.read_bytes() == FOREIGN and stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_new_file_is_world_readable(run_module, tmp_path):
    path = tmp_path / "hosts"
    run_module(main, args_for(path, "present"))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644


def test_in_place_write_when_rename_fails(run_module, tmp_path, monkeypatch):
    """A bind-mounted /etc/hosts: rename onto it fails with EBUSY; the file is then rewritten in place (same inode)."""
    import errno

    path = tmp_path / "hosts"
    path.write_bytes(FOREIGN)
    inode = os.stat(path).st_ino
    real_rename = os.rename

    def busy(src, dst, *args, **kwargs):
        if os.path.abspath(os.fsdecode(dst)) == str(path):
            raise OSError(errno.EBUSY, "Device or resource busy")
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", busy)
    result = run_module(main, args_for(path, "present"))
    assert "failed" not in result, result
    assert path.read_bytes() == FOREIGN + BLOCK and os.stat(path).st_ino == inode
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".registry_hosts.")]


@pytest.mark.parametrize("content, message", [
    (b"# BEGIN alicloud.acr_access cri-twin0000000000001\n1.1.1.1 a\n", "line 1 (# BEGIN alicloud.acr_access cri-twin0000000000001) has no END"),
    (b"1.1.1.1 a\n# END alicloud.acr_access cri-twin0000000000001\n", "line 2 (# END alicloud.acr_access cri-twin0000000000001) has no BEGIN"),
])
def test_broken_markers_fail_and_write_nothing(run_module, tmp_path, content, message):
    path = tmp_path / "hosts"
    path.write_bytes(content)
    result = run_module(main, args_for(path, "present"))
    assert result["failed"] and message in result["msg"] and str(path) in result["msg"]
    assert path.read_bytes() == content


@pytest.mark.parametrize("entries, field", [
    ([dict(ip="10.94.205", names=["a.example"])], "entries[0].ip"),
    ([ENTRIES[0], dict(ip="10.0.0.1", names=["bad name"])], "entries[1].names[0]"),
    ([], "entries"),
])
def test_bad_entries_name_the_field(run_module, tmp_path, entries, field):
    path = tmp_path / "hosts"
    result = run_module(main, args_for(path, "present", entries=entries))
    assert result["failed"] and result["msg"].startswith(field + ":"), result
    assert not path.exists()


def test_ipv6_entry(run_module, tmp_path):
    path = tmp_path / "hosts"
    run_module(main, args_for(path, "present", entries=[dict(ip="FD00::0001", names=["r.example"])]))
    assert b"\nfd00::1 r.example\n" in path.read_bytes()


@pytest.mark.parametrize("setting, warned", [("true", True), ("template", True), ("localhost", False), ("false", False), (None, False)])
def test_cloud_init_warning(run_module, tmp_path, setting, warned):
    cloud = tmp_path / "cloud"
    (cloud / "cloud.cfg.d").mkdir(parents=True)
    (cloud / "cloud.cfg").write_text("users: [default]\nmanage_etc_hosts: false\n")
    if setting:
        (cloud / "cloud.cfg.d" / "90-hosts.cfg").write_text("manage_etc_hosts: %s\n" % setting)
    path = tmp_path / "hosts"
    result = run_module(main, args_for(path, "present", cloud_init_dir=str(cloud)))
    warnings = [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]
    assert bool(warnings) is warned
    if warned:
        assert "90-hosts.cfg" in warnings[0] and "templates/hosts." in warnings[0] and "manage_etc_hosts: false" in warnings[0]
        assert result["cloud_init"]["value"] == setting
