package persistence

import "time"

// Compaction after writes, not by polling.
//
// Badger's compactors each wake every 50 ms to look for work (a ticker
// fixed in badger v4's levels.go): 40 wake-ups a second, which were most
// of an idle daemon's CPU (0.76 % of a core here, 0.10 % without them,
// 30 s each). bgfetch's store holds a few megabytes, so it runs no
// compactors (NumCompactors 0) and compacts only after writes: every
// commit pokes compactLoop, which lets compactDelay pass and then, once
// level 0 holds levelZeroTables tables (flushed memtables, as Badger's own
// compactors wait for), asks Badger's Flatten to merge it into the level
// below, keeping the tree in one level. A store nobody writes to wakes
// nobody.
//
// At open the loop looks at once: a crash leaves its memtable, which
// Badger flushes to level 0 in Open (levelZeroStall says why that matters).

// compactDelay is how long after a write the store looks at level 0,
// gathering the writes around it into one look.
const compactDelay = time.Second

// wrote tells compactLoop that a commit happened.
func (s *Store) wrote() {
	select {
	case s.written <- struct{}{}:
	default:
	}
}

func (s *Store) compactLoop() {
	defer s.loops.Done()
	for {
		// At open, then compactDelay after each burst of writes.
		if s.compact() {
			s.wrote() // level 0 got a table meanwhile: look again
		}
		select {
		case <-s.stop:
			return
		case <-s.written:
		}
		select {
		case <-s.stop:
			return
		case <-time.After(compactDelay):
		}
	}
}

// compact merges level 0 into the rest of the tree once it holds
// levelZeroTables tables, as Badger's own compactors would, and reports
// whether level 0 needs another look (memtables flushed while it ran). A
// single table waits: merging it at once made every start rewrite the
// whole store (a closing store flushes its memtable to level 0; Flatten
// merges level 0 into the level below, here all of it: 0.3 s for 10,000
// kept registrations), and scrolling that history at start had frames of
// 85-194 ms in five runs instead of 38-40 ms. Flatten leaves level 0
// alone while it is the only level with data and holds no more than
// levelZeroTables tables (a new store).
func (s *Store) compact() (again bool) {
	if !s.levelZeroFull() {
		return false
	}
	if err := s.db.Flatten(1); err != nil {
		s.log.Warn("store compaction", "err", err)
		return true
	}
	return s.levelZeroFull()
}

// levelZeroFull reports whether level 0 holds enough tables to merge down.
func (s *Store) levelZeroFull() bool {
	l0, deeper := s.levelZero()
	return l0 > levelZeroTables || (deeper && l0 >= levelZeroTables)
}

// levelZero is the number of tables in level 0, and whether a deeper
// level holds data.
func (s *Store) levelZero() (tables int, deeper bool) {
	for _, l := range s.db.Levels() {
		if l.Level == 0 {
			tables = l.NumTables
		} else if l.NumTables > 0 {
			deeper = true
		}
	}
	return tables, deeper
}
