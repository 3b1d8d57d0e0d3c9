package downloads

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testserver"
	"github.com/bgfetch/bgfetch/persistence"
)

// destinationKinds are the file systems a destination can be on: the data
// dir's own (hard links), another one (tmpfs, root only: bodies are
// copied), and, with placeBody starting past hard links on the data dir's
// own file system, one without hard links where Linux renames without
// replacing, and one where names are claimed with empty files. (CI's
// kernel has no vfat or exfat to mount for the last two.)
func destinationKinds() map[string]destinationKind {
	return map[string]destinationKind{
		"same-fs":  {dir: func(t *testing.T) string { return t.TempDir() }},
		"tmpfs":    {dir: func(t *testing.T) string { return mountTmpfs(t, "8m") }},
		"no-links": {dir: func(t *testing.T) string { return t.TempDir() }, mode: placeByRename},
		"claims":   {dir: func(t *testing.T) string { return t.TempDir() }, mode: placeByClaim},
	}
}

// destinationKind makes a destination folder, and says where placeBody
// starts there (Config.firstPlaceMode).
type destinationKind struct {
	dir  func(t *testing.T) string
	mode int
}

// A crash at any step of moving bodies to the destination — after
// staging, after taking the user-facing names, after storing them, in the
// middle of a copy — is finished on the next start (and files planted under
// the staging names are not taken for bodies): every body once under
// its own name, no "name (1)", no empty or staging file left, nothing left
// in the data dir. The crash states are made by the move's own steps,
// stopped where a SIGKILL would stop them. (The fault suite's
// sigkill-after-201 found a crash between naming and storing that left an
// empty "a.bin" beside the body's "a (1).bin".)
func TestMoveRepeatsAfterCrash(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	a, b := randomBytes(10<<10), randomBytes(300<<10)
	ua, ub := srv.Put("/a.bin", a), srv.Put("/b.bin", b)
	want := map[string][]byte{"a.bin": a, "b.bin": b}

	for kind, dk := range destinationKinds() {
		for crash, at := range moveCrashPoints() {
			t.Run(kind+"/"+crash, func(t *testing.T) {
				if kind == "claims" && crash == "after-naming" {
					// The one case left: an empty claimed file cannot be
					// told from the user's (moveToDestination's comment).
					t.Skip("claimed names are not recognised after a crash")
				}
				checkMoveAfterCrash(t, dk, at, ua, ub, want)
			})
		}
	}
}

// moveCrash brings record i (body at src, staged name given) to where a
// move stopped.
type moveCrash func(t *testing.T, st *persistence.Store, uid string, i int, src, staged, dest string, mode int)

// moveCrashPoints are the states a crash in the middle of a move leaves.
func moveCrashPoints() map[string]moveCrash {
	return map[string]moveCrash{
		"after-staging": func(t *testing.T, _ *persistence.Store, _ string, _ int, src, staged, _ string, mode int) {
			if err := stageBody(context.Background(), src, staged); err != nil {
				t.Fatal(err)
			}
		},
		"mid-copy": func(t *testing.T, _ *persistence.Store, _ string, _ int, src, staged, _ string, mode int) {
			data, _ := os.ReadFile(src)
			if err := os.WriteFile(staged+".copying", data[:len(data)/3], 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"after-naming": func(t *testing.T, _ *persistence.Store, _ string, i int, src, staged, dest string, mode int) {
			if err := stageBody(context.Background(), src, staged); err != nil {
				t.Fatal(err)
			}
			if _, err := placeBody(src, staged, dest, []string{"a.bin", "b.bin"}[i], mode); err != nil {
				t.Fatal(err)
			}
		},
		// Not a crash: something else put files under the staging names
		// first (a symlink to a file outside, a file of the body's size).
		// Neither may be taken for the body, and the outside file stays.
		"planted": func(t *testing.T, _ *persistence.Store, _ string, i int, src, staged, _ string, mode int) {
			if i == 0 {
				victim := filepath.Join(t.TempDir(), "victim")
				os.WriteFile(victim, []byte("precious"), 0o644)
				if err := os.Symlink(victim, staged); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() {
					if b, _ := os.ReadFile(victim); string(b) != "precious" {
						t.Errorf("the symlink's target was changed: %q", b)
					}
				})
				return
			}
			fi, _ := os.Stat(src)
			if err := os.WriteFile(staged, make([]byte, fi.Size()), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"after-storing": func(t *testing.T, st *persistence.Store, uid string, i int, src, staged, dest string, mode int) {
			if err := stageBody(context.Background(), src, staged); err != nil {
				t.Fatal(err)
			}
			target, err := placeBody(src, staged, dest, []string{"a.bin", "b.bin"}[i], mode)
			if err != nil {
				t.Fatal(err)
			}
			setRecordPath(t, st, uid, i, target)
		},
	}
}

// checkMoveAfterCrash downloads a.bin and b.bin, makes the crash state at
// in a destination of kind dk, restarts, and checks the move finished.
func checkMoveAfterCrash(t *testing.T, dk destinationKind, at moveCrash, ua, ub string, want map[string][]byte) {
	dest := dk.dir(t)
	e := newEnv(t, func(c *Config) { c.firstPlaceMode = dk.mode })
	// Downloaded with no destination: the bodies stay in the
	// data dir, where the move starts from.
	reg, err := e.m.Fetch("test", model.FetchRequest{ID: "move", Requests: model.Requests{{URL: ua}, {URL: ub}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.waitSettled(reg.UID, 10*time.Second); got.Result != model.ResultSuccess {
		t.Fatalf("download: %+v", got)
	}
	e.stop()

	st, err := persistence.Open(e.dir, persistence.Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	unsettle(t, st, reg.UID, dest)
	for i := range 2 {
		src := filepath.Join(e.dir, "bodies", reg.UID, strconv.Itoa(i))
		staged := filepath.Join(dest, ".bgfetch-"+reg.UID+"-"+strconv.Itoa(i))
		at(t, st, reg.UID, i, src, staged, dest, dk.mode)
	}
	st.Close()

	e.start()
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.Result != model.ResultSuccess {
		t.Fatalf("after the crash: %+v", got)
	}
	entries, _ := os.ReadDir(dest)
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	if !slices.Equal(names, []string{"a.bin", "b.bin"}) {
		t.Fatalf("destination holds %q, want exactly a.bin and b.bin", names)
	}
	recs, _ := e.m.Records(reg.UID)
	for _, r := range recs {
		name := filepath.Base(r.Response.Path)
		if filepath.Dir(r.Response.Path) != dest {
			t.Fatalf("record %d at %s, not in %s", r.Index, r.Response.Path, dest)
		}
		if data, _ := os.ReadFile(r.Response.Path); !bytes.Equal(data, want[name]) {
			t.Fatalf("record %d: %s holds %d bytes, not its body", r.Index, name, len(data))
		}
	}
	if left, _ := os.ReadDir(filepath.Join(e.dir, "bodies", reg.UID)); len(left) != 0 {
		t.Fatalf("%d bodies left in the data dir", len(left))
	}
}

// unsettle rewinds a settled registration in st to active, to move its
// bodies to dest: the state a crash before settling leaves.
func unsettle(t *testing.T, st *persistence.Store, uid, dest string) {
	t.Helper()
	err := st.Update(func(tx *persistence.Tx) error {
		doc, err := tx.Registration(uid)
		if err != nil {
			return err
		}
		var sr storedRegistration
		if err := json.Unmarshal(doc, &sr); err != nil {
			return err
		}
		sr.Result, sr.FailureReason, sr.SettledAt = model.ResultPending, model.ReasonNone, nil
		sr.Destination = dest
		doc, _ = json.Marshal(sr)
		return tx.PutRegistration(uid, doc)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// setRecordPath stores path as record i's body.
func setRecordPath(t *testing.T, st *persistence.Store, uid string, i int, path string) {
	t.Helper()
	err := st.Update(func(tx *persistence.Tx) error {
		docs, err := tx.Records(uid)
		if err != nil {
			return err
		}
		var r storedRecord
		if err := json.Unmarshal(docs[i], &r); err != nil {
			return err
		}
		r.Response.Path = path
		doc, _ := json.Marshal(r)
		return tx.PutRecord(uid, i, doc)
	})
	if err != nil {
		t.Fatal(err)
	}
}
