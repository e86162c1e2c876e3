#!/usr/bin/env bash
# Re-creates every Terraform sample case from scratch: small configurations that need no
# provider download (only the built-in terraform_data resource, variables, outputs, check blocks),
# real `terraform` runs captured as CI would (`cmd > output.log 2>&1; echo $? > exit_code`).
# Usage (from the repo root): bash sample_logs/terraform/generate.sh
# Needs: terraform 1.11.4 (the release zip from releases.hashicorp.com) on PATH. No network.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$HERE/../lib.sh"
scratch_dir terraform
export LC_ALL=C.UTF-8 LANG=C.UTF-8 HOME="$WORK" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_LOG TF_CLI_ARGS TF_WORKSPACE TF_DATA_DIR || true
: > "$WORK/terraformrc"
export TF_CLI_CONFIG_FILE="$WORK/terraformrc"

TF_VERSION="$(terraform version | sed -n '1s/^Terraform v//p')"
write_toml() {  # CASE VERDICT DESCRIPTION COMMAND
    {
        echo 'tool = "terraform"'
        echo "expected_verdict = $(toml_str "$2")"
        echo "description = $(toml_str "$3")"
        echo "produced_by = $(toml_str "Terraform $TF_VERSION (linux_amd64 release), TF_IN_AUTOMATION=1, \`$4\`")"
        echo 'hand_written = false'
        if grep -q $'\x1b\[' "$HERE/$1/output.log"; then echo 'colour = true'; else echo 'colour = false'; fi
    } > "$HERE/$1/case.toml"
}
fresh() { rm -rf "$WORK/$1"; mkdir -p "$WORK/$1"; cd "$WORK/$1"; }

# ------------------------------------------------ validate_error: an unknown argument
fresh invalid
cat > main.tf <<'EOF'
resource "terraform_data" "web" {
  input       = "v1"
  description = "an argument terraform_data does not have"
}
EOF
terraform init -input=false -no-color > /dev/null
capture validate_error terraform validate -no-color
write_toml validate_error consistent "terraform validate on an unsupported argument: 'Error: Unsupported argument' with its file and line, exit 1" "terraform validate -no-color"
capture validate_error_or_true sh -c 'terraform validate -no-color || true'
write_toml validate_error_or_true false-success "the same validate step written '|| true': 'Error: Unsupported argument', status 0 recorded" "sh -c 'terraform validate -no-color || true'"

# ------------------------------------------------ plan/apply of a terraform_data resource
fresh app
cat > main.tf <<'EOF'
variable "release" {
  type    = string
  default = "v1"
}

resource "terraform_data" "release" {
  input = var.release
}

check "error_budget" {
  assert {
    condition     = var.release != "v1"
    error_message = "release v1 has known errors; the failure budget check warns but does not block"
  }
}

output "release" {
  value = terraform_data.release.output
}
EOF
terraform init -input=false > /dev/null
capture validate_ok terraform validate
write_toml validate_ok consistent "terraform validate on a valid configuration (colour on, as by default): 'Success! The configuration is valid.', exit 0" "terraform validate"
capture plan_changes terraform plan -input=false -detailed-exitcode
write_toml plan_changes consistent "terraform plan -detailed-exitcode with one resource to create: 'Plan: 1 to add, 0 to change, 0 to destroy.', a failed check block reported as 'Warning: Check block assertion failed', exit 2 as -detailed-exitcode documents for a non-empty diff" "terraform plan -input=false -detailed-exitcode"
capture apply_ok terraform apply -input=false -auto-approve
write_toml apply_ok consistent "terraform apply creates the resource: 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.' and the check block's 'Warning: Check block assertion failed' (checks never block), exit 0" "terraform apply -input=false -auto-approve"
capture plan_no_changes terraform plan -input=false -detailed-exitcode -no-color
write_toml plan_no_changes consistent "terraform plan -detailed-exitcode after the apply: 'No changes. Your infrastructure matches the configuration.', exit 0" "terraform plan -input=false -detailed-exitcode -no-color"

# ------------------------------------------------ apply_error: a local-exec provisioner fails
fresh prov
cat > main.tf <<'EOF'
resource "terraform_data" "migrate" {
  input = "2024-06-01"
  provisioner "local-exec" {
    command = "echo 'running migrations'; echo 'ERROR: relation users already exists' >&2; exit 3"
  }
}
EOF
terraform init -input=false > /dev/null
capture apply_error terraform apply -input=false -auto-approve -no-color
write_toml apply_error consistent "terraform apply whose local-exec provisioner exits 3: 'Error: local-exec provisioner error', no 'Apply complete!', exit 1" "terraform apply -input=false -auto-approve -no-color"
rm -f terraform.tfstate terraform.tfstate.backup
capture apply_error_tee sh -c 'terraform apply -input=false -auto-approve 2>&1 | tee apply.log'
write_toml apply_error_tee false-success "the same failing apply (colour on) piped into tee in sh without pipefail: the boxed '│ Error: local-exec provisioner error', tee's 0 recorded" "sh -c 'terraform apply -input=false -auto-approve 2>&1 | tee apply.log'"

# ------------------------------------------------ precondition_error: a lifecycle precondition fails at plan time
fresh pre
cat > main.tf <<'EOF'
variable "replicas" {
  type    = number
  default = 1
}

resource "terraform_data" "cluster" {
  input = var.replicas
  lifecycle {
    precondition {
      condition     = var.replicas >= 3
      error_message = "A production cluster needs at least 3 replicas."
    }
  }
}
EOF
terraform init -input=false > /dev/null
capture precondition_error terraform plan -input=false -no-color -detailed-exitcode
write_toml precondition_error consistent "terraform plan -detailed-exitcode where a resource precondition fails: 'Error: Resource precondition failed', exit 1 (errors are 1 with or without -detailed-exitcode)" "terraform plan -input=false -no-color -detailed-exitcode"

echo "terraform samples written to $HERE"
