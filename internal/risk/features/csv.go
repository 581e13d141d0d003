package features

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Columns is the CSV schema of a labelled data set, in the order WriteCSV
// writes it. ReadCSV requires the first six (terminal_id may be called
// merchant_id) and uses the others when present; columns it does not know
// are ignored. See docs/risk-model.md.
var Columns = []string{
	"tx_id", "timestamp", "customer_id", "terminal_id", "amount", "label",
	"device_id", "email_id", "ip_id", "shipping_id", "email_age_days", "account_age_days",
	"billing_shipping_mismatch", "merchant_category", "hour", "scenario",
}

// WriteCSV writes a data set in the Columns schema: timestamps in RFC 3339
// with their offset, amounts in minor units, flags and labels as 0 or 1. The
// hour column repeats the timestamp's hour, for reading convenience; readers
// take the hour from the timestamp.
func WriteCSV(w io.Writer, txs []Tx) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Columns); err != nil {
		return err
	}
	row := make([]string, len(Columns))
	for i := range txs {
		t := &txs[i]
		row[0] = t.ID
		row[1] = t.Time.Format(time.RFC3339)
		row[2] = t.Customer
		row[3] = t.Terminal
		row[4] = strconv.FormatInt(t.Amount, 10)
		row[5] = strconv.Itoa(t.Label)
		row[6] = t.Device
		row[7] = t.Email
		row[8] = t.IP
		row[9] = t.Shipping
		row[10] = strconv.Itoa(t.EmailAgeDays)
		row[11] = strconv.Itoa(t.AccountAgeDays)
		row[12] = strconv.Itoa(int(flag(t.Mismatch)))
		row[13] = t.Category
		row[14] = strconv.Itoa(t.Time.Hour())
		row[15] = t.Scenario
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadCSV reads a labelled data set (see Columns) and returns it sorted by
// time. Errors name the line and column at fault.
func ReadCSV(r io.Reader) ([]Tx, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty data file: expected a header line")
		}
		return nil, err
	}
	col := map[string]int{}
	for i, name := range header {
		col[name] = i
	}
	if _, ok := col["terminal_id"]; !ok {
		if i, ok := col["merchant_id"]; ok {
			col["terminal_id"] = i
		}
	}
	for _, name := range Columns[:6] {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("data file has no %q column", name)
		}
	}
	var txs []Tx
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		p := rowParser{rec: rec, col: col, line: line}
		for _, name := range Columns[:6] {
			if p.str(name) == "" {
				p.fail(name, "required, but empty")
			}
		}
		t := Tx{
			ID:             p.str("tx_id"),
			Time:           p.time("timestamp"),
			Customer:       p.str("customer_id"),
			Terminal:       p.str("terminal_id"),
			Amount:         p.int64("amount"),
			Label:          p.bit("label"),
			Device:         p.str("device_id"),
			Email:          p.str("email_id"),
			IP:             p.str("ip_id"),
			Shipping:       p.str("shipping_id"),
			EmailAgeDays:   int(p.int64("email_age_days")),
			AccountAgeDays: int(p.int64("account_age_days")),
			Mismatch:       p.bit("billing_shipping_mismatch") == 1,
			Category:       p.str("merchant_category"),
			Scenario:       p.str("scenario"),
		}
		if p.err != nil {
			return nil, p.err
		}
		txs = append(txs, t)
	}
	SortByTime(txs)
	return txs, nil
}

// rowParser reads typed fields of one CSV record, keeping the first error.
type rowParser struct {
	rec  []string
	col  map[string]int
	line int
	err  error
}

// str returns a column's value, or "" when the file has no such column.
func (p *rowParser) str(name string) string {
	i, ok := p.col[name]
	if !ok || i >= len(p.rec) {
		return ""
	}
	return p.rec[i]
}

func (p *rowParser) fail(name, why string) {
	if p.err == nil {
		p.err = fmt.Errorf("line %d, column %s: %s", p.line, name, why)
	}
}

func (p *rowParser) time(name string) time.Time {
	t, err := time.Parse(time.RFC3339, p.str(name))
	if err != nil {
		p.fail(name, "want an RFC 3339 timestamp")
	}
	return t
}

func (p *rowParser) int64(name string) int64 {
	s := p.str(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		p.fail(name, "want a whole, non-negative number (amounts in minor units)")
	}
	return n
}

func (p *rowParser) bit(name string) int {
	switch p.str(name) {
	case "", "0":
		return 0
	case "1":
		return 1
	}
	p.fail(name, "want 0 or 1")
	return 0
}
