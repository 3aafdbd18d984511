namespace Subvol.Policies;

/// <summary>
/// Shell globs over subvolume names, as fnmatch(3) reads them without flags: * any run of
/// characters, ? one character, [abc], [a-z], and [!abc] or [^abc] for one character not listed.
/// Names hold no '/', so there is nothing more to it.
/// </summary>
internal static class GlobPattern
{
    public static bool IsGlob(string pattern) => pattern.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>Null when every bracket expression is closed and not empty, else what is wrong.</summary>
    public static string? Problem(string pattern)
    {
        for (var index = 0; index < pattern.Length; index++)
        {
            if (pattern[index] == ']')
            {
                return "a ']' closes no '['";
            }

            if (pattern[index] == '[')
            {
                var end = ClassEnd(pattern, index);
                if (end < 0)
                {
                    return "a '[' is not closed by ']'";
                }

                index = end;
            }
        }

        return null;
    }

    public static bool Matches(string pattern, string name) => Matches(pattern, 0, name, 0);

    private static bool Matches(string pattern, int p, string name, int n)
    {
        while (p < pattern.Length)
        {
            switch (pattern[p])
            {
                case '*':
                    // Runs of stars are one star; then try every split of the rest of the name.
                    while (p < pattern.Length && pattern[p] == '*')
                    {
                        p++;
                    }

                    for (var start = n; start <= name.Length; start++)
                    {
                        if (Matches(pattern, p, name, start))
                        {
                            return true;
                        }
                    }

                    return false;
                case '?':
                    if (n == name.Length)
                    {
                        return false;
                    }

                    p++;
                    n++;
                    break;
                case '[':
                    var end = ClassEnd(pattern, p);
                    if (end < 0 || n == name.Length || !InClass(pattern.AsSpan(p + 1, end - p - 1), name[n]))
                    {
                        return false;
                    }

                    p = end + 1;
                    n++;
                    break;
                default:
                    if (n == name.Length || pattern[p] != name[n])
                    {
                        return false;
                    }

                    p++;
                    n++;
                    break;
            }
        }

        return n == name.Length;
    }

    /// <summary>The index of the ']' that closes the class opening at <paramref name="open"/>; a ']' right after '[' or '[!' is a member.</summary>
    private static int ClassEnd(string pattern, int open)
    {
        var index = open + 1;
        if (index < pattern.Length && pattern[index] is '!' or '^')
        {
            index++;
        }

        if (index < pattern.Length && pattern[index] == ']')
        {
            index++;
        }

        var end = pattern.IndexOf(']', index);
        return end;
    }

    private static bool InClass(ReadOnlySpan<char> members, char character)
    {
        var negated = members.Length > 0 && members[0] is '!' or '^';
        if (negated)
        {
            members = members[1..];
        }

        var found = false;
        for (var index = 0; index < members.Length; index++)
        {
            if (index + 2 < members.Length && members[index + 1] == '-')
            {
                found |= character >= members[index] && character <= members[index + 2];
                index += 2;
            }
            else
            {
                found |= character == members[index];
            }
        }

        return found != negated;
    }
}
