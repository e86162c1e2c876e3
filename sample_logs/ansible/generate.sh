#!/usr/bin/env bash
# Re-creates every Ansible sample case from scratch.
# Run from the repo root:  bash sample_logs/ansible/generate.sh
# Needs: python3 and PyPI (ansible-core is pip-installed into a throwaway venv), the OpenSSH
# client (Debian) for the unreachable case, which only dials a closed port on 127.0.0.1.
set -euo pipefail

ANSIBLE_CORE_VERSION="2.17.14"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir ansible
mkdir -p "$WORK/project"

export LC_ALL=C.UTF-8 LANG=C.UTF-8
python3 -m venv "$WORK/venv"
timeout 600 "$WORK/venv/bin/pip" install --quiet --disable-pip-version-check \
    "ansible-core==$ANSIBLE_CORE_VERSION" > "$WORK/pip.log" 2>&1 \
    || { cat "$WORK/pip.log" >&2; exit 1; }
export PATH="$WORK/venv/bin:$PATH"
PY_VERSION="$(python --version 2>&1)"

# Keep everything Ansible writes inside the scratch dir, and keep the logs free of machine noise.
export ANSIBLE_HOME="$WORK/ansible-home"
export ANSIBLE_LOCAL_TEMP="$WORK/ansible-tmp"
# Run modules with the venv's python (interpreter discovery would pick whatever python3 this machine has).
export ANSIBLE_PYTHON_INTERPRETER="$WORK/venv/bin/python"
export ANSIBLE_HOST_KEY_CHECKING=False
export ANSIBLE_TIMEOUT=5
export ANSIBLE_NOCOLOR=1
unset ANSIBLE_CONFIG || true

CAPTURE_TIMEOUT=120  # seconds per captured command (capture, lib.sh; its default is 60)

write_toml() {
    cat > "$HERE/$1/case.toml" <<EOF
tool = "ansible"
expected_verdict = "$2"
description = "$3"
produced_by = "ansible-core $ANSIBLE_CORE_VERSION (pip), $PY_VERSION, \`$4\`"
hand_written = false
colour = false
EOF
}

cd "$WORK/project"

# A deploy playbook whose second task reads a config file that does not exist.
write_deploy() {  # $1: extra line for the failing task ("" or "ignore_errors: true")
    cat > deploy.yml <<EOF
- name: Deploy demo app
  hosts: all
  gather_facts: false
  tasks:
    - name: Create release directory
      ansible.builtin.file:
        path: "$WORK/release"
        state: directory
        mode: "0755"

    - name: Read application config
      ansible.builtin.command: cat /etc/exitaudit-demo/app.conf
      changed_when: false
      $1

    - name: Report
      ansible.builtin.debug:
        msg: "release directory ready"
EOF
}

# ------------------------------------------------ task-fails
write_deploy ""
capture task-fails ansible-playbook -i localhost, -c local deploy.yml
write_toml task-fails consistent \
  "a command task fails ('fatal: [localhost]: FAILED!', PLAY RECAP failed=1) and ansible-playbook exits 2" \
  "ansible-playbook -i localhost, -c local deploy.yml"

# ------------------------------------------------ tee-trap
capture tee-trap sh -c 'ansible-playbook -i localhost, -c local deploy.yml 2>&1 | tee ansible.log'
write_toml tee-trap false-success \
  "the same failing playbook (fatal: ... FAILED!, PLAY RECAP failed=1) run as 'ansible-playbook ... | tee ansible.log' in sh without pipefail, so tee's 0 was recorded" \
  "sh -c 'ansible-playbook -i localhost, -c local deploy.yml 2>&1 | tee ansible.log'"

# ------------------------------------------------ ignored-error
write_deploy "ignore_errors: true"
capture ignored-error ansible-playbook -i localhost, -c local deploy.yml
write_toml ignored-error consistent \
  "the failing task has ignore_errors: true: 'fatal: [localhost]: FAILED!' followed by '...ignoring', PLAY RECAP failed=0 ignored=1, exit 0" \
  "ansible-playbook -i localhost, -c local deploy.yml"

# ------------------------------------------------ unreachable
cat > ping.yml <<'EOF'
- name: Check connectivity
  hosts: all
  gather_facts: false
  tasks:
    - name: Ping
      ansible.builtin.ping:
EOF
# Port 1 on the loopback address is closed, so ssh is refused at once.
capture unreachable ansible-playbook -i 127.0.0.1, -c ssh -e ansible_port=1 -e ansible_user=deploy ping.yml
write_toml unreachable consistent \
  "ssh to a closed port on 127.0.0.1: 'fatal: [127.0.0.1]: UNREACHABLE!', PLAY RECAP unreachable=1, ansible-playbook exits 4" \
  "ansible-playbook -i 127.0.0.1, -c ssh -e ansible_port=1 -e ansible_user=deploy ping.yml"

# ------------------------------------------------ clean-run
cat > site.yml <<EOF
- name: Configure demo app
  hosts: all
  gather_facts: false
  tasks:
    - name: Create config directory
      ansible.builtin.file:
        path: "$WORK/etc"
        state: directory
        mode: "0755"

    - name: Write config
      ansible.builtin.copy:
        dest: "$WORK/etc/app.conf"
        content: "listen = 127.0.0.1:8080\n"
        mode: "0644"

    - name: Check config
      ansible.builtin.command: grep -c listen $WORK/etc/app.conf
      changed_when: false
EOF
capture clean-run ansible-playbook -i localhost, -c local site.yml
write_toml clean-run consistent \
  "clean run: three tasks ok/changed, PLAY RECAP failed=0 unreachable=0, exit 0" \
  "ansible-playbook -i localhost, -c local site.yml"

echo "ansible samples written to $HERE"
