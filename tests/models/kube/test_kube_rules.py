"""The validation rules shared by the models and the manifest loader."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podkit.models.kube import _rules as rules

LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"


@pytest.mark.parametrize(
    ("rule", "value", "reasons"),
    [
        (rules.dns1123_label, "my-name", []),
        (rules.dns1123_label, "123-abc", []),
        (rules.dns1123_label, "a" * 64, ["must be no more than 63 characters"]),
        (rules.dns1123_subdomain, "example.com", []),
        (rules.dns1123_subdomain, "a_b", [rules._SUBDOMAIN_FORMAT]),
        (rules.qualified_name, "app.kubernetes.io/name", []),
        (rules.qualified_name, "MyName", []),
        (rules.qualified_name, "/name", ["prefix part must be non-empty"]),
        (rules.qualified_name, "a/b/c", [rules.qualified_name("a/b/c")[0]]),
        (rules.qualified_name, "prefix/", ["name part must be non-empty"]),
        (rules.annotation_key, "Example.COM/Owner", []),
        (rules.label_value, "", []),
        (rules.label_value, "v1.2_3", []),
        (rules.label_value, "-v", [rules._LABEL_VALUE_FORMAT]),
        (rules.port_name, "http", []),
        (
            rules.port_name,
            "-8080-",
            ["must contain at least one letter (a-z)", "must not begin or end with a hyphen"],
        ),
        (rules.port_name, "a--b", ["must not contain consecutive hyphens"]),
        (rules.port_name, "abcdefghijklmnop", ["must be no more than 15 characters"]),
        (rules.env_var_name, "1-weird.NAME with spaces", []),
        (rules.env_var_name, "tab\there", [rules.env_var_name("=")[0]]),
        (rules.config_key, "app.properties", []),
        (rules.config_key, "..data", ["must not start with '..'"]),
        (rules.config_key, ".", ["must not be '.'"]),
        (rules.item_path, "dir/file", []),
        (rules.item_path, "..file", ["must not start with '..'"]),
        (rules.item_path, "/abs/../x", ["must be a relative path", "must not contain '..'"]),
        (rules.relative_path, "..file", []),
        (rules.sysctl_name, "net.ipv4.ip_forward", []),
        (rules.sysctl_name, "net/ipv4/conf/eth0.100/forwarding", []),
        (rules.ip_address, "2001:db8::1", []),
        (rules.ip_address, "010.1.1.1", [rules.ip_address("x")[0]]),
        (rules.csi_driver_name, "Hostpath.CSI.k8s.io", []),
        (rules.file_mode, 0o777, []),
        (rules.file_mode, 0o1000, ["must be a number between 0 and 0777 (octal), both inclusive"]),
        (rules.host_port, 0, []),
    ],
)
def test_rule(rule, value, reasons):
    assert rule(value) == reasons


@given(st.from_regex(LABEL, fullmatch=True))
def test_generated_labels_are_valid_labels_and_subdomains(name):
    assert rules.dns1123_label(name) == []
    assert rules.dns1123_subdomain(name) == []


@given(st.lists(st.from_regex(LABEL, fullmatch=True), min_size=1, max_size=4))
def test_dotted_labels_are_subdomains(parts):
    name = ".".join(parts)
    assert (rules.dns1123_subdomain(name) == []) == (len(name) <= 253)


@given(st.text(min_size=1, max_size=70))
def test_a_label_needs_lower_case_alphanumerics_and_inner_dashes(name):
    valid = (
        len(name) <= 63
        and all(char in "abcdefghijklmnopqrstuvwxyz0123456789-" for char in name)
        and name[0] != "-"
        and name[-1] != "-"
    )
    assert (rules.dns1123_label(name) == []) == valid
