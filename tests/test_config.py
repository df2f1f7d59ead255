from __future__ import annotations

import re
from pathlib import Path

import pytest

from attest_pipeline.config import load_config, locate
from attest_pipeline.errors import ConfigError
from attest_pipeline.filesystems import (
    NETWORK_FILESYSTEMS,
    check_outputs,
    check_state_is_local,
    filesystem_type,
    output_problems,
)
from tests.conftest import write_config


def test_relative_paths_are_relative_to_the_config_file(tmp_path: Path, roster: Path) -> None:
    config = load_config(write_config(tmp_path, roster))
    assert config.paths.inbox == (tmp_path / "inbox").resolve()
    assert config.paths.database == (tmp_path / "state" / "attest.sqlite3").resolve()
    assert config.paths.roster == roster.resolve()


def test_the_repository_config_loads_out_of_the_box() -> None:
    config = load_config(Path(__file__).resolve().parent.parent / "config.toml")
    assert config.paths.roster.name == "roster.csv"
    assert config.ocr.language == "fra"


def test_locate_prefers_option_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTEST_CONFIG", "/etc/attest.toml")
    assert locate("mine.toml") == Path("mine.toml")
    assert locate(None) == Path("/etc/attest.toml")
    monkeypatch.delenv("ATTEST_CONFIG")
    assert locate(None) == Path("config.toml")


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found") as info:
        load_config(tmp_path / "nope.toml")
    assert info.value.exit_code == 2


def test_malformed_toml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[paths]\ninbox = "in"\ndossiers = \n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.line == 3
    assert str(path) in str(info.value)


def test_missing_key_and_wrong_type(tmp_path: Path, roster: Path) -> None:
    path = write_config(tmp_path, roster)
    path.write_text(path.read_text().replace('inbox = "inbox"\n', ""), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[paths\] inbox is required"):
        load_config(path)
    path = write_config(tmp_path, roster, plugins={"timeout": "soon"})
    with pytest.raises(ConfigError, match=r"\[plugins\] timeout must be a number, not 'soon'"):
        load_config(path)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("review", "inbox/review", "review .* lies inside the inbox"),
        ("state", "inbox", "state .* lies inside the inbox"),
        ("dossiers", ".", "the inbox lies inside \\[paths\\] dossiers"),
        ("dossiers", "state/dossiers", "dossiers .* lies inside \\[paths\\] state"),
        ("review", "state/work", "review .* lies inside \\[paths\\] state"),
        ("state", "quarantine/state", "state .* lies inside \\[paths\\] quarantine"),
        ("quarantine", "review", "review and \\[paths\\] quarantine are the same folder"),
        ("inbox", "dossiers/inbox", "the inbox lies inside \\[paths\\] dossiers"),
    ],
)
def test_overlapping_folders_are_refused(
    tmp_path: Path, roster: Path, key: str, value: str, message: str
) -> None:
    path = write_config(tmp_path, roster, paths={key: value})
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_state_on_a_local_disk_is_accepted(tmp_path: Path, roster: Path) -> None:
    config = load_config(write_config(tmp_path, roster))
    assert filesystem_type(config.paths.state) not in NETWORK_FILESYSTEMS
    check_state_is_local(config)


def test_state_on_a_network_file_system_is_refused(
    tmp_path: Path, roster: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(write_config(tmp_path, roster))
    monkeypatch.setattr("attest_pipeline.filesystems.filesystem_type", lambda path: "cifs")
    with pytest.raises(ConfigError, match="network file system \\(cifs\\)"):
        check_state_is_local(config)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1GB", 1 << 30),
        ("512MB", 512 << 20),
        ("1.5 GiB", 3 << 29),
        ("300mb", 300 << 20),
        (1 << 30, 1 << 30),
    ],
)
def test_memory_limit_is_a_size(tmp_path: Path, roster: Path, value: object, expected: int) -> None:
    config = load_config(write_config(tmp_path, roster, limits={"memory": value}))
    assert config.memory == expected


def test_limits_have_defaults(tmp_path: Path, roster: Path) -> None:
    config = load_config(write_config(tmp_path, roster))
    assert config.memory == 1 << 30
    assert config.document_timeout == 300.0


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"memory": "lots"}, r"\[limits\] memory must be a size such as \"1GB\""),
        ({"memory": "10MB"}, r"\[limits\] memory must be at least 128MB"),
        ({"memory": True}, r"\[limits\] memory must be a size"),
        ({"document_timeout": 0}, r"\[limits\] document_timeout must be more than 0"),
        ({"document_timeout": "1h"}, r"\[limits\] document_timeout must be a number"),
    ],
)
def test_bad_limits_are_refused(
    tmp_path: Path, roster: Path, limits: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write_config(tmp_path, roster, limits=limits))


def test_output_folders_that_can_be_created_are_accepted(tmp_path: Path, roster: Path) -> None:
    config = load_config(write_config(tmp_path, roster, paths={"dossiers": "new/deeper/dossiers"}))
    assert output_problems(config) == []
    check_outputs(config)


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("dossiers", "roster.csv", "is a file, not a folder"),
        ("review", "roster.csv/review", "cannot be created: .*roster.csv is a file"),
        ("state", "/proc/attest/state", "is on a virtual file system \\(proc\\)"),
        ("quarantine", "/sys/kernel/attest", "is on a virtual file system \\(sysfs\\)"),
    ],
)
def test_output_folders_that_cannot_be_written_are_refused_naming_the_key(
    tmp_path: Path, roster: Path, key: str, value: str, problem: str
) -> None:
    config = load_config(write_config(tmp_path, roster, paths={key: value}))
    (line,) = output_problems(config)
    assert re.match(f"\\[paths\\] {key} \\(.*\\) {problem}", line), line
    with pytest.raises(ConfigError, match=f"\\[paths\\] {key} .*{problem}"):
        check_outputs(config)


# ------------------------------------------------------------------------------ [mail]

ACCOUNT = """
[[mail.accounts]]
name = "secretariat"
host = "imap.example.org"
user = "attestations@example.org"
password_env = "ATTEST_MAIL_PASSWORD"
"""


def mail_config(tmp_path: Path, roster: Path, account: str, mail: str = "") -> Path:
    path = write_config(tmp_path, roster)
    path.write_text(path.read_text() + "\n[mail]\n" + mail + "\n" + account, encoding="utf-8")
    return path


def test_a_mail_account_has_safe_defaults(tmp_path: Path, roster: Path) -> None:
    config = load_config(mail_config(tmp_path, roster, ACCOUNT, "interval = 60\n"))
    [account] = config.mail.accounts
    assert (account.security, account.port, account.folders) == ("imaps", 993, ("INBOX",))
    assert account.keyword == "$AttestCollected"
    assert config.mail.interval == 60
    assert load_config(write_config(tmp_path, roster)).mail.accounts == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('password_env = "ATTEST_MAIL_PASSWORD"', "needs exactly one of password_env and"),
        ('user = "attestations@example.org"\npassword = "hunter2"', "never kept in the config"),
        ('name = "secretariat"\nsecurity = "plain"', "towards this machine only"),
        ('name = "secretariat"\nsecurity = "ssl3"', "security must be one of"),
        ('name = "secretariat"\nkeyword = "\\\\Seen"', "must be an IMAP keyword"),
        ('name = "secretariat"\nfolder = "INBOX"', "#1 folder is unknown (known: ca_file, folders"),
        ('name = "secretariat"\nfolders = []', "folders must not be an empty list"),
    ],
)
def test_mail_account_mistakes_are_refused(
    tmp_path: Path, roster: Path, change: str, message: str
) -> None:
    old = change.split("\n")[0]
    account = ACCOUNT.replace(old, change) if "\n" in change else ACCOUNT.replace(old, "")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_config(mail_config(tmp_path, roster, account))


def test_plain_imap_is_accepted_on_loopback_only(tmp_path: Path, roster: Path) -> None:
    account = ACCOUNT.replace("imap.example.org", "127.0.0.1") + 'security = "plain"\n'
    [loaded] = load_config(mail_config(tmp_path, roster, account)).mail.accounts
    assert (loaded.security, loaded.port) == ("plain", 143)


def test_two_accounts_need_two_names(tmp_path: Path, roster: Path) -> None:
    with pytest.raises(ConfigError, match="is another account's name too"):
        load_config(mail_config(tmp_path, roster, ACCOUNT + ACCOUNT))
