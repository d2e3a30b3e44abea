"""Every file of the bad-input corpus ends in one clear message, exit status 1, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gonghui.core.imports import get_importer, run_import
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Member, Organisation
from tests.data import make_bad_corpus

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    return make_bad_corpus.build(tmp_path_factory.mktemp("corpus"))


def test_corpus_is_complete_and_small(manifest):
    files = {p.name for p in BAD.iterdir()}
    assert files == {name for name, *_ in manifest}, "regenerate with python tests/data/make_bad_corpus.py"
    assert len(files) >= 25
    assert sum(p.stat().st_size for p in BAD.iterdir()) < 2 * 1024 * 1024


def test_every_bad_file_is_refused_with_its_reason_and_row(manifest, tree, root_user):
    members, orgs, audits = Member.objects.count(), Organisation.objects.count(), AuditEvent.objects.count()
    for name, kind, org_code, reason, row in manifest:
        org = tree[org_code] if kind == "orgs.members" else None
        outcome = run_import(get_importer(kind)(actor=root_user, org=org, file_name=name), BAD / name)
        assert not outcome.ok, name
        assert outcome.message, name
        matching = [e for e in outcome.errors if reason in e.reason]
        assert matching, (name, [e.reason for e in outcome.errors][:5])
        assert any(e.row == row for e in matching), (name, [(e.row, e.reason) for e in matching])
    assert (Member.objects.count(), Organisation.objects.count(), AuditEvent.objects.count()) == (
        members, orgs, audits)


@pytest.mark.parametrize("name", ["truncated.xlsx", "gbk_bad_byte.csv", "formula_error.xlsx", "orgs_cycle.xlsx",
                                  "merged_header.xlsx", "picture_renamed.xlsx"])
def test_cli_exit_status_one_for_bad_files(name, manifest, tree, tmp_path, capsys):
    entry = next(m for m in manifest if m[0] == name)
    errors = tmp_path / "errors.xlsx"
    if entry[1] == "orgs.orgs":
        args = ["import_orgs", str(BAD / name), "--errors", str(errors)]
    else:
        args = ["import_members", str(BAD / name), "--org", entry[2], "--errors", str(errors)]
    before = Member.objects.count(), Organisation.objects.count()
    with pytest.raises(CommandError) as info:
        call_command(*args)
    assert info.value.returncode == 1
    assert entry[3] in capsys.readouterr().err + str(info.value)
    assert errors.exists()
    assert (Member.objects.count(), Organisation.objects.count()) == before
