"""bootstrap.py: which requirements `python app.py` checks for before it starts."""

import platform

import pytest

import bootstrap


@pytest.mark.parametrize(
    ("marker", "holds"),
    [
        (f'platform_machine == "{platform.machine()}"', True),
        ('platform_machine == "no-such-machine"', False),
        ('platform_machine == "no-such-machine" or platform_machine != "no-such-machine"', True),
        (f'platform_machine != "no-such-machine" and os_name == "{bootstrap.os.name}"', True),
        ('sys_platform in "no-such-platform"', False),
        ('python_version < "3.14"', True),  # not understood here: counted as holding, pip decides
        ("not a marker (", True),
    ],
)
def test_environment_markers(marker, holds):
    assert bootstrap.marker_holds(marker) is holds


def test_a_requirement_ruled_out_for_this_machine_is_not_missing(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# comment\nFlask>=3.0  # the web framework\n"
        'no-such-package-here>=1; platform_machine == "no-such-machine"\n'
        f'another-missing-one[extra]>=2 ; platform_machine == "{platform.machine()}"\n',
        encoding="utf-8",
    )
    assert bootstrap.requirement_names(requirements) == ["Flask", "another-missing-one"]
    assert bootstrap.missing(requirements) == ["another-missing-one"]


def test_every_requirement_of_the_app_is_installed_here():
    assert bootstrap.missing(bootstrap.ROOT / "requirements.txt") == []
