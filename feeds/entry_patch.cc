#include "feeds/entry_patch.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cstdint>
#include <typeinfo>

namespace feedbridge::feeds::entry_internal {
namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

bool IsObject(const Var& v) { return v.type() == typeid(Object::Ptr); }
bool IsArray(const Var& v) { return v.type() == typeid(Array::Ptr); }

bool SameTree(const Var& a, const Var& b);

bool SameObject(const Object& a, const Object& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [key, value] : a) {
    if (!b.has(key) || !SameTree(value, b.get(key))) return false;
  }
  return true;
}

bool SameTree(const Var& a, const Var& b) {
  if (IsObject(a) || IsObject(b)) {
    return IsObject(a) && IsObject(b) &&
           SameObject(*a.extract<Object::Ptr>(), *b.extract<Object::Ptr>());
  }
  if (IsArray(a) || IsArray(b)) {
    if (!IsArray(a) || !IsArray(b)) return false;
    const Array& x = *a.extract<Array::Ptr>();
    const Array& y = *b.extract<Array::Ptr>();
    if (x.size() != y.size()) return false;
    for (unsigned i = 0; i < x.size(); ++i) {
      if (!SameTree(x.get(i), y.get(i))) return false;
    }
    return true;
  }
  // Leaves are strings, integers and booleans (FromEntry writes nothing else).
  if (a.isString() != b.isString() || a.isBoolean() != b.isBoolean()) return false;
  return a.convert<std::string>() == b.convert<std::string>();
}

// The patch of one member both trees have, or an empty Var when they agree.
Var DiffMember(const Var& item, const Var& entry) {
  if (SameTree(item, entry)) return {};
  if (IsObject(item) && IsObject(entry)) {
    return Diff(*item.extract<Object::Ptr>(), *entry.extract<Object::Ptr>());
  }
  if (IsArray(item) && IsArray(entry)) {
    const Array& x = *item.extract<Array::Ptr>();
    const Array& y = *entry.extract<Array::Ptr>();
    const auto common = static_cast<unsigned>(std::min(x.size(), y.size()));
    bool objects = common > 0;
    for (unsigned i = 0; objects && i < x.size(); ++i) objects = IsObject(x.get(i));
    for (unsigned i = 0; objects && i < y.size(); ++i) objects = IsObject(y.get(i));
    if (objects) {
      Object::Ptr o = new Object;
      Array::Ptr each = new Array;
      for (unsigned i = 0; i < common; ++i) {
        each->add(Diff(*x.getObject(i), *y.getObject(i)));
      }
      o->set("each", each);
      if (y.size() > common) {
        Array::Ptr more = new Array;
        for (unsigned i = common; i < y.size(); ++i) more->add(y.get(i));
        o->set("more", more);
      }
      if (x.size() > common) o->set("keep", static_cast<int64_t>(common));
      return o;
    }
  }
  return entry;
}

}  // namespace

Object::Ptr Diff(const Object& item, const Object& entry) {
  Object::Ptr patch = new Object;
  for (const auto& [key, value] : entry) {
    if (!item.has(key)) {
      patch->set(key, value);
    } else if (Var d = DiffMember(item.get(key), value); !d.isEmpty()) {
      patch->set(key, d);
    }
  }
  for (const auto& [key, value] : item) {
    if (!entry.has(key)) patch->set(key, Var());  // null: the entry has no such member.
  }
  return patch;
}

void Apply(Object& tree, const Object& patch) {
  for (const auto& [key, value] : patch) {
    if (value.isEmpty()) {
      tree.remove(key);
      continue;
    }
    if (IsObject(value) && tree.has(key)) {
      const Object& p = *value.extract<Object::Ptr>();
      const Var here = tree.get(key);
      if (IsObject(here)) {
        Object::Ptr sub = here.extract<Object::Ptr>();
        Apply(*sub, p);
        continue;
      }
      const Array::Ptr each = p.getArray("each");
      if (IsArray(here) && !each.isNull()) {
        Array::Ptr list = here.extract<Array::Ptr>();
        for (unsigned i = 0; i < list->size() && i < each->size(); ++i) {
          Object::Ptr element = list->getObject(i);
          const Object::Ptr element_patch = each->getObject(i);
          if (!element.isNull() && !element_patch.isNull()) Apply(*element, *element_patch);
        }
        if (const Var keep = p.get("keep"); keep.isInteger()) {
          while (list->size() >
                 static_cast<size_t>(std::max<int64_t>(keep.convert<int64_t>(), 0))) {
            list->remove(static_cast<unsigned>(list->size() - 1));
          }
        }
        if (const Array::Ptr more = p.getArray("more"); !more.isNull()) {
          for (unsigned i = 0; i < more->size(); ++i) list->add(more->get(i));
        }
        continue;
      }
    }
    tree.set(key, value);
  }
}

}  // namespace feedbridge::feeds::entry_internal
