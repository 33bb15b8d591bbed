//! The WSBF (WATS Standard BOM Format) XML form of a [`Bom`], written with `quick-xml`'s
//! writer, so every attribute value is escaped by the XML library, not by hand.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, Event};
use wats_core::{Bom, Error, Result};

/// The WSBF namespace.
pub const WSBF_NAMESPACE: &str = "http://wats.virinco.com/schemas/WATS/wsbf";

fn encode_error(e: &std::io::Error) -> Error {
    Error::Encode {
        target: "WSBF XML",
        message: e.to_string(),
    }
}

/// `bom` as WSBF XML: `<BOM Partnumber Revision Desc xmlns>` holding one
/// `<Component Number Rev Qty Desc Ref FunctionBlock/>` per component; unset members are
/// left out.
///
/// ```
/// use wats_core::{Bom, BomComponent};
/// let bom = Bom::new("PCBA-1", "A").with_component(BomComponent::new("R<1>", 2, "R1;R2"));
/// let xml = String::from_utf8(wats_http::wsbf_xml(&bom).unwrap().to_vec()).unwrap();
/// assert!(xml.contains(r#"<Component Number="R&lt;1&gt;" Qty="2" Ref="R1;R2"/>"#));
/// ```
///
/// # Errors
/// [`Error::Encode`] if the writer fails (it writes to memory, so in practice never).
pub fn wsbf_xml(bom: &Bom) -> Result<bytes::Bytes> {
    let mut w = Writer::new(Vec::with_capacity(256 + 96 * bom.components().len()));
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
        .map_err(|e| encode_error(&e))?;
    let mut root = BytesStart::new("BOM");
    for (name, value) in [
        ("Partnumber", bom.part_number.as_str()),
        ("Revision", bom.revision.as_str()),
        ("Desc", bom.description.as_str()),
    ] {
        if let Some(v) = value {
            root.push_attribute((name, v));
        }
    }
    root.push_attribute(("xmlns", WSBF_NAMESPACE));
    w.write_event(Event::Start(root))
        .map_err(|e| encode_error(&e))?;
    for c in bom.components() {
        let mut el = BytesStart::new("Component");
        let qty = c.quantity.value().map(ToString::to_string);
        for (name, value) in [
            ("Number", c.number.as_str()),
            ("Rev", c.revision.as_str()),
            ("Qty", qty.as_deref()),
            ("Desc", c.description.as_str()),
            ("Ref", c.reference.as_str()),
            ("FunctionBlock", c.function_block.as_str()),
        ] {
            if let Some(v) = value {
                el.push_attribute((name, v));
            }
        }
        w.write_event(Event::Empty(el))
            .map_err(|e| encode_error(&e))?;
    }
    w.write_event(Event::End(BytesEnd::new("BOM")))
        .map_err(|e| encode_error(&e))?;
    Ok(bytes::Bytes::from(w.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wats_core::BomComponent;

    #[test]
    fn writes_the_documented_shape_and_escapes() {
        let mut bom = Bom::new("100100", "1.0");
        bom.description.set("A \"quoted\" & <odd> desc".to_owned());
        let mut c = BomComponent::new("100200", 2, "A30;A31");
        c.revision.set("1.0".to_owned());
        let bom = bom.with_component(c);
        let xml = String::from_utf8(wsbf_xml(&bom).unwrap().to_vec()).unwrap();
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
             <BOM Partnumber=\"100100\" Revision=\"1.0\" \
             Desc=\"A &quot;quoted&quot; &amp; &lt;odd&gt; desc\" \
             xmlns=\"http://wats.virinco.com/schemas/WATS/wsbf\">\
             <Component Number=\"100200\" Rev=\"1.0\" Qty=\"2\" Ref=\"A30;A31\"/></BOM>"
        );
    }
}
