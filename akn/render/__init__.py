"""Writers: AKN tree -> outputs. They read only Akoma Ntoso (ours or the UN's own files)."""
