"""Provisioning: Ansible plays run as jobs in Dramatiq workers, every task recorded and streamed."""
