"""Enable/disable settings: environment variables and the TOML config file."""

from __future__ import annotations

import tomllib

import pytest

from jackfield import ConfigError
from jackfield._host._settings import default_config_path, set_plugin_disabled
from jackfield.host import PluginSettings


def test_defaults_with_an_empty_environment(tmp_path):
    settings = PluginSettings.from_env({"JACKFIELD_CONFIG": str(tmp_path / "none.toml")})

    assert settings.disabled_by_env == frozenset()
    assert settings.disabled_by_config == frozenset()
    assert settings.allowed is None
    assert settings.autoload is True
    assert settings.strict is False
    assert settings.trace is False
    assert settings.unreadable_config is None
    assert settings.disabled_reason("anything", installed=True) is None


def test_environment_variables_are_read(tmp_path):
    settings = PluginSettings.from_env(
        {
            "JACKFIELD_CONFIG": str(tmp_path / "c.toml"),
            "JACKFIELD_DISABLE_PLUGINS": " a, b ,,",
            "JACKFIELD_PLUGINS": "c",
            "JACKFIELD_DISABLE_PLUGIN_AUTOLOAD": "1",
            "JACKFIELD_STRICT": "true",
            "JACKFIELD_TRACE_PLUGINS": "yes",
        }
    )

    assert settings.disabled_by_env == {"a", "b"}
    assert settings.allowed == {"c"}
    assert settings.autoload is False
    assert settings.strict is True
    assert settings.trace is True
    assert settings.config_path == tmp_path / "c.toml"


@pytest.mark.parametrize("value", ["0", "", "no", "false"])
def test_false_flags(value, tmp_path):
    settings = PluginSettings.from_env(
        {"JACKFIELD_CONFIG": str(tmp_path / "c.toml"), "JACKFIELD_STRICT": value}
    )
    assert settings.strict is False


def test_allow_list_set_but_empty_admits_no_installed_plugin(tmp_path):
    settings = PluginSettings.from_env(
        {"JACKFIELD_CONFIG": str(tmp_path / "c.toml"), "JACKFIELD_PLUGINS": ""}
    )

    assert settings.allowed == frozenset()
    assert (
        settings.disabled_reason("x", installed=True) == "not in the JACKFIELD_PLUGINS allow-list"
    )
    assert settings.disabled_reason("x", installed=False) is None


def test_config_file_disables_plugins(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[plugins]\ndisabled = ["tuner"]\n\n[other]\nkey = 1\n')

    settings = PluginSettings.from_env({"JACKFIELD_CONFIG": str(path)})

    assert settings.disabled_by_config == {"tuner"}
    assert settings.disabled_reason("tuner", installed=True) == f"disabled in config file {path}"


def test_environment_reason_wins_over_config(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[plugins]\ndisabled = ["tuner"]\n')
    settings = PluginSettings.from_env(
        {"JACKFIELD_CONFIG": str(path), "JACKFIELD_DISABLE_PLUGINS": "tuner"}
    )
    assert (
        settings.disabled_reason("tuner", installed=True) == "disabled by JACKFIELD_DISABLE_PLUGINS"
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[plugins\n", "is not valid TOML"),
        ("plugins = 3\n", "[plugins] must be a table"),
        ('[plugins]\ndisabled = "tuner"\n', "plugins.disabled must be a list"),
        ("[plugins]\ndisabled = [1]\n", "plugins.disabled must be a list"),
    ],
)
def test_unusable_config_is_kept_as_a_problem_not_raised(tmp_path, text, problem):
    path = tmp_path / "config.toml"
    path.write_text(text)

    settings = PluginSettings.from_env({"JACKFIELD_CONFIG": str(path)})

    assert settings.disabled_by_config == frozenset()
    assert settings.unreadable_config is not None
    assert problem in settings.unreadable_config
    assert str(path) in settings.unreadable_config


def test_config_problem_never_quotes_values(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[plugins]\ndisabled = "sk-secret-value-123"\n')
    settings = PluginSettings.from_env({"JACKFIELD_CONFIG": str(path)})
    assert "sk-secret-value-123" not in (settings.unreadable_config or "")


def test_default_config_path_is_per_user(monkeypatch):
    monkeypatch.delenv("JACKFIELD_CONFIG", raising=False)
    path = default_config_path({})
    assert path.name == "config.toml"
    assert "jackfield" in path.parts


def test_set_plugin_disabled_creates_the_file(tmp_path):
    path = tmp_path / "new" / "config.toml"

    assert set_plugin_disabled(path, "tuner", disabled=True) is True

    assert tomllib.loads(path.read_text()) == {"plugins": {"disabled": ["tuner"]}}


def test_set_plugin_disabled_keeps_other_settings_and_round_trips(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[plugins]\ndisabled = ["b"]\nnote = "kept"\n\n[server]\nport = 8080\n')

    set_plugin_disabled(path, "a", disabled=True)
    assert set_plugin_disabled(path, "a", disabled=True) is False
    document = tomllib.loads(path.read_text())
    assert document == {
        "plugins": {"disabled": ["a", "b"], "note": "kept"},
        "server": {"port": 8080},
    }

    set_plugin_disabled(path, "b", disabled=False)
    assert tomllib.loads(path.read_text())["plugins"]["disabled"] == ["a"]


def test_set_plugin_disabled_refuses_a_broken_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[plugins\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        set_plugin_disabled(path, "a", disabled=True)
    assert path.read_text() == "[plugins\n"
