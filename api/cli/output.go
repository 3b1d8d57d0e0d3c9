package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

// printRegistration prints a registration for people (or JSON).
func printRegistration(e *env, reg *model.Registration) {
	if e.json {
		printJSON(e, reg)
		return
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "id:\t%s\n", reg.ID)
	fmt.Fprintf(tw, "uid:\t%s\n", reg.UID)
	if reg.Title != "" {
		fmt.Fprintf(tw, "title:\t%s\n", reg.Title)
	}
	fmt.Fprintf(tw, "state:\t%s\n", reg.State)
	fmt.Fprintf(tw, "downloaded:\t%s\n", progressText(reg))
	if reg.UploadTotal > 0 {
		fmt.Fprintf(tw, "uploaded:\t%s / %s\n", words.Bytes(reg.Uploaded), words.Bytes(reg.UploadTotal))
	}
	switch reg.Result {
	case model.ResultPending:
		fmt.Fprintf(tw, "result:\t(pending)\n")
	case model.ResultSuccess:
		fmt.Fprintf(tw, "result:\tsuccess\n")
	default:
		fmt.Fprintf(tw, "result:\tfailure: %s (%s)\n", words.ReasonWords(reg.FailureReason), reg.FailureReason)
	}
	fmt.Fprintf(tw, "records:\t%s\n", map[bool]string{true: "available", false: "released"}[reg.RecordsAvailable])
	if reg.Destination != "" {
		fmt.Fprintf(tw, "destination:\t%s\n", reg.Destination)
	}
	tw.Flush()
}

// progressText is "1.0 MB of 60 MB" (or just the bytes when no total is
// known), as the window says it.
func progressText(reg *model.Registration) string { return words.Amount(*reg) }

// printRecords prints records as a table (or JSON).
func printRecords(e *env, recs []model.Record) {
	if e.json {
		printJSON(e, model.RecordList{Records: recs})
		return
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INDEX\tSTATE\tSTATUS\tSIZE\tURL\tPATH")
	for _, r := range recs {
		writeRecordRow(tw, r)
	}
	tw.Flush()
}

func writeRecordRow(w io.Writer, r model.Record) {
	status, size, path := "-", words.Bytes(r.Downloaded), "-"
	if r.Response != nil {
		status = fmt.Sprint(r.Response.Status)
		if r.Response.Path != "" {
			path = r.Response.Path
		}
	}
	state := string(r.State)
	if r.Error != "" {
		state += " (" + r.Error + ")"
	}
	fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", r.Index, state, status, size, r.Request.URL, path)
}
