"""Check that meta/runtime.yml's `alicloud` action group matches the modules.

A module belongs in the group exactly when its documentation uses the
`alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD` fragment (which tells users
that `module_defaults: {group/alicloud.acr_access.alicloud: ...}` applies to it).
Modules that do not take the shared credential options (for example those that
run on a managed host) must stay out: module_defaults would pass them options
they reject. The list must also be sorted. ansible-test does not check this.

Usage (make lint): .venv/bin/python scripts/check_action_group.py
"""

import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GROUP = 'alicloud'
MARKER = 'alicloud.acr_access.attributes.ACTIONGROUP_ALICLOUD'


def documented_members():
    modules_dir = os.path.join(ROOT, 'plugins', 'modules')
    members = set()
    for name in os.listdir(modules_dir):
        if name.endswith('.py') and not name.startswith('_'):
            with open(os.path.join(modules_dir, name), encoding='utf-8') as handle:
                if MARKER in handle.read():
                    members.add(name[:-3])
    return members


def listed_members():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        runtime = yaml.safe_load(handle) or {}
    return (runtime.get('action_groups') or {}).get(GROUP) or []


def main():
    documented, listed = documented_members(), listed_members()
    problems = ['%s: documents the action group but is not in meta/runtime.yml action_groups.%s' % (name, GROUP)
                for name in sorted(documented - set(listed))]
    problems += ['%s: in meta/runtime.yml action_groups.%s but does not document it (or does not exist)' % (name, GROUP)
                 for name in listed if name not in documented]
    if listed != sorted(listed):
        problems.append('meta/runtime.yml action_groups.%s is not sorted: %s' % (GROUP, ', '.join(sorted(listed))))
    for problem in problems:
        print('action group: ' + problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print('action group %s: %d modules, matches their documentation' % (GROUP, len(listed)))


if __name__ == '__main__':
    main()
