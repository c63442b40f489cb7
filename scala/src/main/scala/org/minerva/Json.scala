package org.minerva

import scala.collection.immutable.ListMap

/** A small JSON reader for the core's JSON answers (shape inference, storage statistics).
 *  Objects become ListMap[String, Any] (key order kept), arrays Vector[Any], numbers Double. */
private[minerva] object Json {
  def parse(text: String): Any = {
    val p = new Parser(text)
    val v = p.value()
    p.skipSpace()
    if (!p.atEnd) p.fail("trailing characters")
    v
  }

  private final class Parser(s: String) {
    private var i = 0
    def atEnd: Boolean = i >= s.length
    def fail(what: String): Nothing =
      throw new IllegalStateException(s"malformed JSON from the core at offset $i: $what")
    def skipSpace(): Unit = while (i < s.length && Character.isWhitespace(s.charAt(i))) i += 1
    private def expect(c: Char): Unit = {
      skipSpace()
      if (atEnd || s.charAt(i) != c) fail(s"expected '$c'")
      i += 1
    }
    def value(): Any = {
      skipSpace()
      if (atEnd) fail("unexpected end")
      s.charAt(i) match {
        case '{' => obj()
        case '[' => arr()
        case '"' => str()
        case 't' => word("true", true)
        case 'f' => word("false", false)
        case 'n' => word("null", null)
        case _ => num()
      }
    }
    private def word(w: String, v: Any): Any = {
      if (!s.startsWith(w, i)) fail(s"expected $w")
      i += w.length
      v
    }
    private def num(): Double = {
      val start = i
      while (i < s.length && "+-0123456789.eE".indexOf(s.charAt(i).toInt) >= 0) i += 1
      if (start == i) fail("expected a value")
      s.substring(start, i).toDouble
    }
    private def str(): String = {
      expect('"')
      val b = new StringBuilder
      while (!atEnd && s.charAt(i) != '"') {
        val c = s.charAt(i)
        if (c == '\\') {
          i += 1
          if (atEnd) fail("unfinished escape")
          s.charAt(i) match {
            case 'n' => b += '\n'
            case 't' => b += '\t'
            case 'r' => b += '\r'
            case 'b' => b += '\b'
            case 'f' => b += '\f'
            case 'u' =>
              if (i + 4 >= s.length) fail("short \\u escape")
              b += Integer.parseInt(s.substring(i + 1, i + 5), 16).toChar
              i += 4
            case other => b += other
          }
        } else b += c
        i += 1
      }
      if (atEnd) fail("unfinished string")
      i += 1
      b.result()
    }
    private def arr(): Vector[Any] = {
      expect('[')
      val out = Vector.newBuilder[Any]
      skipSpace()
      if (!atEnd && s.charAt(i) == ']') { i += 1; return out.result() }
      var more = true
      while (more) {
        out += value()
        skipSpace()
        if (!atEnd && s.charAt(i) == ',') i += 1 else { expect(']'); more = false }
      }
      out.result()
    }
    private def obj(): ListMap[String, Any] = {
      expect('{')
      var out = ListMap.empty[String, Any]
      skipSpace()
      if (!atEnd && s.charAt(i) == '}') { i += 1; return out }
      var more = true
      while (more) {
        skipSpace()
        val k = str()
        expect(':')
        out = out.updated(k, value())
        skipSpace()
        if (!atEnd && s.charAt(i) == ',') i += 1 else { expect('}'); more = false }
      }
      out
    }
  }
}
