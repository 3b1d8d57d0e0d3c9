package persistence

import "time"

// Compaction after writes, not by polling.
//
// Badger's compactors each wake every 50 ms to look for work (a ticker
// fixed in badger v4's levels.go): 40 wake-ups a second, which were most
// of an idle daemon's CPU (0.76 % of a core here, 0.10 % without them,
// 30 s each). bgfetch's store holds a few megabytes, so it runs no
// compactors (NumCompactors 0) and compacts only after writes: every
// commit pokes compactLoop, which lets compactDelay pass and then asks
// Badger's Flatten to merge level 0 into the level below it, keeping the
// tree in one level. A store nobody writes to wakes nobody.
//
// Level 0 stalls writes once it holds NumLevelZeroTablesStall tables (8
// memtables, 32 MiB of writes). Each commit schedules a look compactDelay
// later, so a burst that fills level 0 waits about that long at worst.

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
		if s.compact() {
			s.wrote() // level 0 got a table meanwhile: look again
		}
	}
}

// compact merges level 0 into the rest of the tree when it holds tables,
// and reports whether level 0 still needs a look (a memtable flushed while
// it ran). Flatten leaves level 0 alone while it is the only level with
// data and holds no more tables than NumLevelZeroTables (a new store).
func (s *Store) compact() (again bool) {
	if l0, deeper := s.levelZero(); l0 == 0 || (!deeper && l0 <= levelZeroTables) {
		return false
	}
	if err := s.db.Flatten(1); err != nil {
		s.log.Warn("store compaction", "err", err)
		return true
	}
	l0, deeper := s.levelZero()
	return l0 > levelZeroTables || (deeper && l0 > 0)
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
