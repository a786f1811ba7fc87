"""Write the pip bootstrap stand-in that ansible-test expects in its cache.

`ansible-test sanity --venv` (and `units`/`integration` with their own venvs)
creates each venv without pip and then runs a get-pip.py that it downloads from
a host that is not reachable from our machines and CI. When the script is
already cached at ~/.ansible/test/cache/get_pip_<X_Y>.py, ansible-test uses it
instead. The stand-in written here bootstraps pip from the interpreter's own
ensurepip and then lets that pip install what ansible-test asked for (the pinned
pip release), from the package index pip is configured to use.

The pip version is read from the installed ansible-test, so the file name stays
right when ansible-core is upgraded. Run it with the python of the venv that
holds ansible-core:  .venv/bin/python scripts/ansible_test_pip_stub.py
"""

import os
import re
import sys

STUB = '''\
"""Stand-in for get-pip.py written by scripts/ansible_test_pip_stub.py (alicloud.acr_access)."""
import subprocess
import sys

# get-pip.py options that `pip install` does not know
_GET_PIP_ONLY = ('--no-setuptools', '--no-wheel')


def main():
    args = [arg for arg in sys.argv[1:] if arg not in _GET_PIP_ONLY]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)


if __name__ == '__main__':
    main()
'''


def ansible_test_pip_version():
    """Return the pip version ansible-test bootstraps, e.g. '24.2'."""
    import ansible_test  # pylint: disable=import-outside-toplevel

    source = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')
    with open(source, encoding='utf-8') as handle:
        match = re.search(r"\bpip='([0-9.]+)'", handle.read())
    if not match:
        sys.exit('cannot find the pip version in %s' % source)
    return match.group(1)


def main():
    version = ansible_test_pip_version()
    cache_path = os.path.expanduser('~/.ansible/test/cache/get_pip_%s.py' % version.replace('.', '_'))
    try:
        with open(cache_path, encoding='utf-8') as handle:
            if handle.read() == STUB:
                return
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(cache_path), exist_ok=True)
    with open(cache_path, 'w', encoding='utf-8') as handle:
        handle.write(STUB)
    print('wrote the ansible-test pip bootstrap stand-in %s' % cache_path)


if __name__ == '__main__':
    main()
