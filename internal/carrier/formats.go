package carrier

// ValidS10 reports whether s is a UPU S10 item identifier (two letters,
// eight serial digits, a check digit, a two-letter country code: such as
// "RR123456785DK"), with the check digit of the S10 standard.
func ValidS10(s string) bool {
	if len(s) != 13 || !upper(s[0]) || !upper(s[1]) || !upper(s[11]) || !upper(s[12]) {
		return false
	}
	weights := [8]int{8, 6, 4, 2, 3, 5, 9, 7}
	sum := 0
	for i := range 8 {
		c := s[2+i]
		if !digit(c) {
			return false
		}
		sum += int(c-'0') * weights[i]
	}
	if !digit(s[10]) {
		return false
	}
	check := 11 - sum%11
	switch check {
	case 10:
		check = 0
	case 11:
		check = 5
	}
	return int(s[10]-'0') == check
}

// ValidSSCC reports whether s is a GS1 Serial Shipping Container Code:
// 18 digits whose last is the GS1 check digit, optionally preceded by the
// application identifier "00" as labels print it.
func ValidSSCC(s string) bool {
	if len(s) == 20 && s[:2] == "00" {
		s = s[2:]
	}
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := range 17 {
		c := s[i]
		if !digit(c) {
			return false
		}
		// From the right of the data digits, weights 3, 1, 3...
		w := 1
		if (16-i)%2 == 0 {
			w = 3
		}
		sum += int(c-'0') * w
	}
	return digit(s[17]) && int(s[17]-'0') == (10-sum%10)%10
}

func digit(c byte) bool { return c >= '0' && c <= '9' }
func upper(c byte) bool { return c >= 'A' && c <= 'Z' }
