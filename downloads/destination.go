package downloads

import (
	"context"
	"os"
	"path/filepath"
	"strconv"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
)

// moveToDestination moves every successful body of a settling fetch into
// its destination folder under a safe, collision-free name. It runs with
// f.ops held and m.mu released: copies, syncs and comparisons never hold
// the Manager's lock (a 1.5 GB copy once froze the API for 3.6 s). It
// returns a *failure when the move failed (the fetch fails with that
// reason), or ctx's error when ctx ended first (shutdown: the next start
// moves again).
//
// A crash at any point leaves no stray file and never gives a body a
// second name ("name (1)") on the next start:
//
//  1. stage: the body gets a name of ours in the destination,
//     .bgfetch-<uid>-<index> (a hard link; across file systems a copy,
//     synced before it takes that name);
//  2. place: the staged body is linked under its free user-facing name;
//     link never replaces an existing file or follows a symlink planted
//     there, and a taken name that is the same file as the staged body
//     (os.SameFile) is ours from before a crash;
//  3. one transaction stores the new names in the records;
//  4. finish: the staging names and the data dir's names are removed.
//
// Steps 1, 2 and 4 are repeatable, so a restart simply runs this again. On
// file systems without hard links (FAT, exFAT) step 2 renames the staged
// body without replacing anything (Linux's RENAME_NOREPLACE) and
// recognises it after a crash by its bytes. Where even that is missing
// (FAT elsewhere), step 2 claims the name with an empty file (O_EXCL) and
// step 4 renames the staged body over it; there a crash between 2 and 3
// can leave that empty file behind.
func (m *Manager) moveToDestination(ctx context.Context, f *fetch) (*failure, error) {
	dest := f.reg.Destination // set at registration, never changed
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return failf(model.ReasonFetchError, "create destination %s: %v", dest, err), nil
	}
	moves, done := m.plannedMoves(f)
	var placed []*bodyMove
	for _, mv := range moves {
		err := stageBody(ctx, mv.src, mv.staged)
		if err == nil {
			mv.target, err = placeBody(mv.src, mv.staged, dest, mv.name, m.cfg.firstPlaceMode)
			placed = append(placed, mv) // its staged copy goes too on a failure
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			m.unplace(f, placed)
			return destinationFailure(err), nil
		}
	}
	if err := m.storePlaced(f, placed); err != nil {
		m.unplace(f, placed)
		return failf(model.ReasonFetchError, "store destination names: %v", err), nil
	}
	for _, mv := range append(done, placed...) {
		if err := finishPlacement(mv.src, mv.staged, mv.target); err != nil {
			m.unplace(f, append(done, placed...))
			return destinationFailure(err), nil
		}
	}
	syncDir(dest)
	return nil, nil
}

// bodyMove is one body on its way from the data dir to the destination.
type bodyMove struct {
	r      *record
	src    string // the body in the data dir
	staged string // its name of ours in the destination
	name   string // the name it should get
	target string // the name it got
}

// plannedMoves lists the successful records whose body is still in the
// data dir (to move), and those placed before a restart whose move must
// still finish.
func (m *Manager) plannedMoves(f *fetch) (moves, done []*bodyMove) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range f.recs {
		if r.State != model.RecordSuccess || r.Response == nil || r.Response.Path == "" {
			continue
		}
		mv := &bodyMove{r: r, src: m.partialPath(f, r), staged: stagingPath(f.reg.Destination, f, r), name: bodyName(r), target: r.Response.Path}
		if mv.target == mv.src {
			moves = append(moves, mv)
		} else {
			done = append(done, mv)
		}
	}
	return moves, done
}

// storePlaced points the placed records at their new names and stores
// them in as few transactions as they need.
func (m *Manager) storePlaced(f *fetch, placed []*bodyMove) error {
	return m.storePaths(f, placed, func(mv *bodyMove) string { return mv.target })
}

// storePaths points each move's record at path(move) and stores the
// records, in as few transactions as they need.
func (m *Manager) storePaths(f *fetch, moves []*bodyMove, path func(*bodyMove) string) error {
	m.mu.Lock()
	docs := make([][]byte, len(moves))
	for i, mv := range moves {
		mv.r.Response.Path = path(mv)
		docs[i] = recordDoc(mv.r)
	}
	m.mu.Unlock()
	return m.store.UpdateMany(len(moves), func(tx *persistence.Tx, i int) error {
		return tx.PutRecord(f.reg.UID, moves[i].r.Index, docs[i])
	})
}

// unplace undoes an unfinished move (after an error): the names taken
// for records whose move did not finish are given back, staged names
// removed, and the records point at the data dir again, where every such
// body still is.
func (m *Manager) unplace(f *fetch, moves []*bodyMove) {
	var back []*bodyMove
	for _, mv := range moves {
		if _, err := os.Stat(mv.src); err != nil {
			continue // finished: the body is where the record says
		}
		if t := mv.target; t != "" && t != mv.src {
			_, err := os.Lstat(mv.staged)
			if sameFile(mv.staged, t) || isEmptyFile(t) || (err != nil && sameContent(mv.src, t)) {
				os.Remove(t)
			}
			back = append(back, mv)
		}
		os.Remove(mv.staged)
	}
	if err := m.storePaths(f, back, func(mv *bodyMove) string { return mv.src }); err != nil {
		m.log.Error("store records after a failed move", "uid", f.reg.UID, "err", err)
	}
}

// stagingPath is the body's name of ours in the destination while it
// moves. Names derived from a server never start with a dot (SafeFileName),
// so it cannot be a name a body takes.
func stagingPath(dest string, f *fetch, r *record) string {
	return filepath.Join(dest, ".bgfetch-"+f.reg.UID+"-"+strconv.Itoa(r.Index))
}

func destinationFailure(err error) *failure {
	if isDiskFull(err) {
		return failf(model.ReasonQuotaExceeded, "the destination is full: %v", err)
	}
	return failf(model.ReasonFetchError, "move to destination: %v", err)
}
