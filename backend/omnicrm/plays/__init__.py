"""The Ansible plays' contract: which plays exist and which variables a caller may give each
(``ansible/caller_vars/``). A leaf both the catalog (a product's variables) and provisioning
(a job's variables) build on; it imports no domain."""
