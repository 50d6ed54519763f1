package configs

import (
	"embed"
	"io/fs"
)

// crm holds the built-in CRM column profiles; it is never written to.
//
//go:embed crm/*.yaml
var crm embed.FS

// CRMProfiles returns the built-in CRM column profiles, one "<name>.yaml"
// per profile at the root of the returned file system.
func CRMProfiles() fs.FS {
	sub, err := fs.Sub(crm, "crm")
	if err != nil {
		panic("configs: sub crm: " + err.Error()) // a constant, valid path: cannot fail
	}
	return sub
}
