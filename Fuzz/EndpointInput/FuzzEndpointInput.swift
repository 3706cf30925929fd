@testable import Bifrost

/// libFuzzer entry point for `EndpointInput.values`, which turns an endpoint call's query and body into typed
/// parameters.
///
/// The input is up to three sections separated by `0xFF` bytes (see `FuzzSections`): the query (`name=value`
/// pairs joined by `&`, percent-encoded, read the way form bodies are), the `Content-Type` header (absent when
/// the section is missing), and the body (everything left). The endpoint declares one parameter of each kind,
/// named after it: `string`, `int`, `float`, `bool`, `email`, `json`, `list`.
///
/// Checked on every input: only a `Problem` with status 400, 415 or 422 is thrown; every converted value has the
/// parameter's type; no number anywhere in the result is non-finite or negative zero.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEndpointInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    var sections = FuzzSections(start, count)
    let query = sections.nextText().map(EndpointInput.form) ?? []
    let contentType = sections.nextText()
    let body = Array(sections.remainder())
    let values: [String: JSONValue]
    do {
        values = try EndpointInput.values(
            query: query, body: body, contentType: contentType, parameters: EndpointParameters.all
        )
    } catch let problem as Problem {
        guard [400, 415, 422].contains(problem.status) else { fatalError("unexpected status \(problem.status)") }
        return 0
    } catch {
        fatalError("threw something other than a Problem: \(error)")
    }
    for value in values.values { checkNumbers(value) }
    // A text value given to a typed parameter is converted or refused, never passed on as text.
    let stringFrom: Set<String> = Set(query.map(\.0))
    for parameter in EndpointParameters.all where stringFrom.contains(parameter.name) && body.isEmpty {
        guard let value = values[parameter.name] else { fatalError("\(parameter.name) vanished") }
        checkKind(value, parameter.kind)
    }
    return 0
}

/// The parameters of the fuzzed endpoint: one per kind, named after it.
enum EndpointParameters {
    static let all = ParameterKind.allCases.map { kind in
        ParameterDeclaration(
            name: kind.rawValue, kind: kind, label: nil, isRequired: false, defaultValue: nil, help: nil,
            validations: [], dataProvider: nil
        )
    }
}

/// Traps when a value given as text did not become the parameter's type.
private func checkKind(_ value: JSONValue, _ kind: ParameterKind) {
    switch (kind, value) {
    case (.string, .string), (.email, .string), (.int, .int), (.float, .double), (.bool, .bool), (.json, _),
        (.list, .array):
        return
    default:
        fatalError("\(kind) parameter holds \(value)")
    }
}

/// Traps on a number the gateway must never pass on: non-finite, or negative zero.
private func checkNumbers(_ value: JSONValue) {
    switch value {
    case .double(let double):
        guard double.isFinite, !(double == 0 && double.sign == .minus) else { fatalError("passed on \(double)") }
    case .array(let elements): elements.forEach(checkNumbers)
    case .object(let members): members.values.forEach(checkNumbers)
    case .null, .bool, .int, .string: break
    }
}
