package downloads

import "github.com/bgfetch/bgfetch/persistence"

// IconCache keeps fetched icon bytes by their source URL, so that the UI
// and notifications fetch each icon once.
type IconCache struct {
	store *persistence.Store
}

// Get returns the bytes cached for src.
func (c *IconCache) Get(src string) ([]byte, bool) {
	var data []byte
	err := c.store.View(func(tx *persistence.Tx) error {
		var err error
		data, err = tx.Icon(src)
		return err
	})
	return data, err == nil
}

// Put caches data for src.
func (c *IconCache) Put(src string, data []byte) error {
	return c.store.Update(func(tx *persistence.Tx) error { return tx.PutIcon(src, data) })
}
